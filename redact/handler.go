package redact

import (
	"context"
	"fmt"
	"log/slog"
)

// Handler redacts every record before next sees it: the message and every
// attribute, those added by With included. It is the last line of
// defence: an error that was not redacted where it was made still leaves
// the process without its credentials.
type Handler struct {
	next slog.Handler
	r    *Redactor
}

// NewHandler wraps next.
func NewHandler(next slog.Handler) *Handler { return &Handler{next: next, r: New()} }

// Enabled defers to the wrapped handler.
func (h *Handler) Enabled(ctx context.Context, l slog.Level) bool { return h.next.Enabled(ctx, l) }

// Handle redacts the record's message and attributes.
func (h *Handler) Handle(ctx context.Context, rec slog.Record) error {
	out := slog.NewRecord(rec.Time, rec.Level, h.r.String(rec.Message), rec.PC)
	rec.Attrs(func(a slog.Attr) bool {
		out.AddAttrs(h.attr(a))
		return true
	})
	return h.next.Handle(ctx, out)
}

// WithAttrs redacts the attributes once, when they are added.
func (h *Handler) WithAttrs(attrs []slog.Attr) slog.Handler {
	clean := make([]slog.Attr, len(attrs))
	for i, a := range attrs {
		clean[i] = h.attr(a)
	}
	return &Handler{next: h.next.WithAttrs(clean), r: h.r}
}

// WithGroup defers to the wrapped handler: group names are ours.
func (h *Handler) WithGroup(name string) slog.Handler {
	return &Handler{next: h.next.WithGroup(name), r: h.r}
}

// attr redacts one attribute, resolving LogValuers first so that what is
// checked is what would be written.
func (h *Handler) attr(a slog.Attr) slog.Attr {
	v := a.Value.Resolve()
	switch v.Kind() {
	case slog.KindString:
		return slog.String(a.Key, h.r.String(v.String()))
	case slog.KindGroup:
		group := v.Group()
		clean := make([]any, len(group))
		for i, g := range group {
			clean[i] = h.attr(g)
		}
		return slog.Group(a.Key, clean...)
	case slog.KindAny:
		return slog.Attr{Key: a.Key, Value: h.any(v.Any())}
	}
	return slog.Attr{Key: a.Key, Value: v}
}

// any redacts a value of any type through the text it would be written
// as. A value with nothing to redact keeps its type, so that the JSON
// handler still writes it as it would.
func (h *Handler) any(x any) slog.Value {
	var text string
	switch t := x.(type) {
	case error:
		text = t.Error()
	case fmt.Stringer:
		text = t.String()
	default:
		text = fmt.Sprintf("%+v", x)
	}
	if clean := h.r.String(text); clean != text {
		return slog.StringValue(clean)
	}
	return slog.AnyValue(x)
}
