package web

import (
	"container/list"
	"sync"

	"golang.org/x/sync/singleflight"
)

// DefaultPageCacheSize is how many rendered front pages a Dashboard keeps
// when PageCacheSize is 0: every window and category of a dozen
// categories, for the current head and second, with room for the last.
const DefaultPageCacheSize = 64

// pageCache keeps the last rendered front pages, least recently used
// out first, so that a crowd asking for the same page gets one render. A
// page's key names everything it is made of (see homeKey), so an append
// (a new head) or the next second makes a new key: no visitor ever gets
// a page older than their own reading of the head and the clock. Only
// pages that rendered without error enter it, and their keys hold only
// checked values, so a hostile query string cannot grow it.
type pageCache struct {
	mu    sync.Mutex
	size  int
	order *list.List // of *cachedPage, the most recently used first
	pages map[string]*list.Element

	flights singleflight.Group // renders in progress, one per key
}

type cachedPage struct {
	key  string
	body []byte
}

func newPageCache(size int) *pageCache {
	return &pageCache{size: size, order: list.New(), pages: map[string]*list.Element{}}
}

// load returns the page of key, rendering it when it is not kept. The
// requests that ask for a page while it renders wait for that render
// instead of starting their own: at each new head or second, a crowd
// would otherwise render it once per visitor.
func (c *pageCache) load(key string, render func() ([]byte, error)) ([]byte, error) {
	if body, ok := c.get(key); ok {
		return body, nil
	}
	v, err, _ := c.flights.Do(key, func() (any, error) {
		if body, ok := c.get(key); ok {
			return body, nil
		}
		body, err := render()
		if err == nil {
			c.put(key, body)
		}
		return body, err
	})
	body, _ := v.([]byte)
	return body, err
}

func (c *pageCache) get(key string) ([]byte, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	e, ok := c.pages[key]
	if !ok {
		return nil, false
	}
	c.order.MoveToFront(e)
	return e.Value.(*cachedPage).body, true
}

func (c *pageCache) put(key string, body []byte) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if _, ok := c.pages[key]; ok {
		return
	}
	c.pages[key] = c.order.PushFront(&cachedPage{key: key, body: body})
	for c.order.Len() > c.size {
		oldest := c.order.Back()
		c.order.Remove(oldest)
		delete(c.pages, oldest.Value.(*cachedPage).key)
	}
}

// len is how many pages are kept.
func (c *pageCache) len() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return len(c.pages)
}
