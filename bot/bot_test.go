package bot_test

import (
	"github.com/docracy/docracy/bot/bottest"
)

// The helpers shared with the API's tests live in bottest.
var (
	newBot = bottest.NewBot
	credit = bottest.Credit
	seed   = bottest.Seed
)

// now is the fixed time every test runs at.
var now = bottest.Now

var categories = bottest.Categories
