# In your module's directory (here a new one holding main.go). PREFIX: where mmarray is
# installed (cmake --install ... --prefix $PREFIX); MMARRAY_SRC: the mmarray checkout.
go mod init example.com/consumer
go mod edit -require=mmarray@v0.0.0 -replace=mmarray="$MMARRAY_SRC/bindings/go"
# (or, leaving go.mod alone: go work init . "$MMARRAY_SRC/bindings/go")
export PKG_CONFIG_PATH=$PREFIX/lib/pkgconfig     # cgo finds -I/-L through pkg-config
go build -ldflags="-r $PREFIX/lib" -o consumer . # an rpath: no LD_LIBRARY_PATH needed
./consumer
