package leader

import (
	"errors"
	"strings"

	"github.com/jackc/pgx/v5"
)

// scrub takes the URL's password and user out of err's message: pgx
// quotes the user, the server may too.
func scrub(err error, dsn string) error {
	cfg, perr := pgx.ParseConfig(dsn)
	if perr != nil {
		return errors.New("the database URL is not a valid PostgreSQL URL")
	}
	var pairs []string
	if cfg.Password != "" {
		pairs = append(pairs, cfg.Password, "***")
	}
	if cfg.User != "" {
		pairs = append(pairs, "user="+cfg.User, "user=***", `"`+cfg.User+`"`, `"***"`)
	}
	return errors.New(strings.NewReplacer(pairs...).Replace(err.Error()))
}
