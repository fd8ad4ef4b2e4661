package mmarray

import (
	"errors"
	"os"
	"path/filepath"
	"reflect"
	"testing"
)

func TestNpzReadsNumpysArchives(t *testing.T) {
	dir := t.TempDir()
	for _, kind := range []string{"savez", "savez_compressed"} {
		path := filepath.Join(dir, kind+".npz")
		python(t, `
np.`+kind+`(sys.argv[1], x=np.arange(12, dtype='<f8').reshape(3, 4), **{'é/y': np.arange(3, dtype='>i4')})
`, path)
		names, err := NpzNames(path)
		if err != nil {
			t.Fatal(err)
		}
		if !reflect.DeepEqual(names, []string{"x", "é/y"}) {
			t.Fatalf("%s: names %q", kind, names)
		}
		a, err := OpenNpz(path, "x", "r")
		if err != nil {
			t.Fatal(err)
		}
		in, err := a.Info()
		if err != nil {
			t.Fatal(err)
		}
		wantOffset := uint64(183)
		if kind == "savez_compressed" {
			wantOffset = 0
		}
		if in.DType != "<f8" || in.Mode != "r" || in.Offset != wantOffset || !reflect.DeepEqual(in.Shape, []int{3, 4}) {
			t.Fatalf("%s: info %+v", kind, in)
		}
		all, err := a.Bytes()
		if err != nil {
			t.Fatal(err)
		}
		if b := all[8*11 : 8*12]; !reflect.DeepEqual(b, []byte{0, 0, 0, 0, 0, 0, 0x26, 0x40}) { // 11.0
			t.Fatalf("%s: x[2][3] bytes % x", kind, b)
		}
		a.Close()
		if _, err := OpenNpz(path, "x", "r+"); !errors.Is(err, ErrUnsupported) {
			t.Fatalf("%s: r+ gave %v", kind, err)
		}
		if _, err := OpenNpz(path, "nope", ""); !errors.Is(err, ErrNotFound) {
			t.Fatalf("%s: missing member gave %v", kind, err)
		}
	}
}

func TestSaveNpzIsNumpysArchive(t *testing.T) {
	dir := t.TempDir()
	src := filepath.Join(dir, "src.npy")
	python(t, `np.save(sys.argv[1], np.arange(6, dtype='<i8').reshape(2, 3))`, src)
	a, err := OpenNpy(src, "r")
	if err != nil {
		t.Fatal(err)
	}
	defer a.Close()
	for _, compress := range []bool{false, true} {
		path := filepath.Join(dir, "out.npz")
		if err := SaveNpz(path, []string{"a", "again"}, []*Array{a, a}, compress); err != nil {
			t.Fatal(err)
		}
		fn := "savez"
		if compress {
			fn = "savez_compressed"
		}
		got := python(t, `
import zipfile
a = np.arange(6, dtype='<i8').reshape(2, 3)
assert zipfile.ZipFile(sys.argv[1]).testzip() is None
z = np.load(sys.argv[1])
assert z.files == ['a', 'again'] and (z['a'] == a).all() and (z['again'] == a).all()
np.`+fn+`(sys.argv[1] + '.np.npz', a=a, again=a)
print(open(sys.argv[1], 'rb').read() == open(sys.argv[1] + '.np.npz', 'rb').read())
`, path)
		if want := map[bool]string{false: "True", true: "False"}[compress]; got != want {
			// stored: byte-identical; deflated: other compressed bytes (miniz_oxide, not zlib)
			t.Fatalf("compress %v: identical to numpy's file: %s", compress, got)
		}
	}
	if err := SaveNpz(filepath.Join(dir, "x.npz"), []string{"a"}, nil, false); !errors.Is(err, ErrInvalidArg) {
		t.Fatalf("length mismatch gave %v", err)
	}
	if _, err := os.Stat(filepath.Join(dir, "x.npz")); !os.IsNotExist(err) {
		t.Fatalf("a failed save left a file: %v", err)
	}
}
