# syntax=docker/dockerfile:1

# Build a static binary: modernc.org/sqlite is pure Go, so no cgo is needed.
FROM golang:1.26 AS build
# go.mod's toolchain line names the patch release with the standard
# library's security fixes; the image's own go.env would ignore it.
ENV GOTOOLCHAIN=auto
WORKDIR /src
COPY go.mod go.sum ./
RUN go mod download
COPY . .
ARG VERSION=dev
RUN CGO_ENABLED=0 go build -trimpath -ldflags "-s -w -X main.version=${VERSION}" -o /out/docracy .

# Run as an unprivileged user on a minimal image; the ledger lives in /data.
FROM gcr.io/distroless/static-debian12:nonroot
COPY --from=build /out/docracy /usr/local/bin/docracy
VOLUME /data
WORKDIR /data
EXPOSE 8080
USER nonroot:nonroot
ENTRYPOINT ["/usr/local/bin/docracy"]
CMD ["serve", "--db", "/data/docracy.db", "--listen", "0.0.0.0:8080"]
