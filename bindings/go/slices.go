package mmarray

import (
	"fmt"
	"unsafe"
)

// elements checks that the array holds items of kind `want` (mm_scalar_kind; ScalarOther
// for "any") and is contiguous, and returns its first element, element count and flags
// (one snapshot).
func (a *Array) elements(want ScalarKind, name string) (unsafe.Pointer, int, uint32, error) {
	in, err := a.Info()
	if err != nil {
		return nil, 0, 0, err
	}
	if want != ScalarOther && in.ScalarKind != want {
		if in.Flags&NativeOrder == 0 {
			// Same type, perhaps, in the other byte order (e.g. a big-endian .npy): a
			// slice would alias the bytes as they are, so it would read wrong values.
			return nil, 0, 0, &Error{Status: EInvalidArg, Message: fmt.Sprintf("the array's dtype is %s, not %s: its byte order is not the machine's, so a typed slice cannot alias it (use Bytes and decode)", in.DType, name)}
		}
		return nil, 0, 0, &Error{Status: EInvalidArg, Message: fmt.Sprintf("the array's dtype is %s, not %s", in.DType, name)}
	}
	if in.Size > 0 && in.Flags&(CContiguous|FContiguous) == 0 {
		return nil, 0, 0, &Error{Status: EInvalidArg, Message: fmt.Sprintf("the array (shape %v, strides %v) is not contiguous; a slice cannot alias it", in.Shape, in.Strides)}
	}
	return in.Data, in.Size, in.Flags, nil
}

func typed[T any](a *Array, kind ScalarKind, name string) ([]T, error) {
	var zero T
	p, n, flags, err := a.elements(kind, name)
	if err != nil {
		return nil, err
	}
	if n == 0 {
		return []T{}, nil
	}
	// numpy allows an array at any byte offset ("<f8" at byte 3): a []T there would be
	// misaligned. MM_ALIGNED is numpy's verdict (address and strides); the address is
	// checked as well, against Go's alignment of T.
	if align := unsafe.Alignof(zero); flags&Aligned == 0 || uintptr(p)%align != 0 {
		return nil, &Error{Status: EInvalidArg, Message: fmt.Sprintf("the array's data (%s) is not aligned to %d bytes, so a typed slice cannot alias it (use Bytes and decode)", name, align)}
	}
	return unsafe.Slice((*T)(p), n), nil
}

// Bytes is the array's memory (any dtype, any alignment, contiguous): NBytes bytes in
// memory order. It is the way to read an array at an odd offset (decode the elements
// with encoding/binary or math.Float64frombits).
func (a *Array) Bytes() ([]byte, error) {
	in, err := a.Info()
	if err != nil {
		return nil, err
	}
	if _, _, _, err := a.elements(ScalarOther, ""); err != nil {
		return nil, err
	}
	if in.NBytes == 0 {
		return []byte{}, nil
	}
	return unsafe.Slice((*byte)(in.Data), in.NBytes), nil
}

// The typed accessors below alias the mapping (no copy). Each checks that the dtype is
// exactly its type in the machine's byte order (mm_scalar_kind: "<f8" for Float64s on
// x86-64, and "float64", "d" or "double" alike), that
// the array is contiguous and that its data is aligned for the type (an ErrInvalidArg
// error otherwise: use Bytes); elements come in memory order (C or F, as the array is
// laid out). A slice of a read-only array (mode "r") must not be written: the process would
// be killed (SIGSEGV).

// Bools: dtype |b1.
func (a *Array) Bools() ([]bool, error) { return typed[bool](a, ScalarBool, "bool") }

// Int8s: dtype |i1.
func (a *Array) Int8s() ([]int8, error) { return typed[int8](a, ScalarInt8, "int8") }

// Uint8s: dtype |u1.
func (a *Array) Uint8s() ([]uint8, error) { return typed[uint8](a, ScalarUint8, "uint8") }

// Int16s: dtype <i2 (native order).
func (a *Array) Int16s() ([]int16, error) { return typed[int16](a, ScalarInt16, "int16") }

// Uint16s: dtype <u2 (native order).
func (a *Array) Uint16s() ([]uint16, error) { return typed[uint16](a, ScalarUint16, "uint16") }

// Int32s: dtype <i4 (native order).
func (a *Array) Int32s() ([]int32, error) { return typed[int32](a, ScalarInt32, "int32") }

// Uint32s: dtype <u4 (native order).
func (a *Array) Uint32s() ([]uint32, error) { return typed[uint32](a, ScalarUint32, "uint32") }

// Int64s: dtype <i8 (native order).
func (a *Array) Int64s() ([]int64, error) { return typed[int64](a, ScalarInt64, "int64") }

// Uint64s: dtype <u8 (native order).
func (a *Array) Uint64s() ([]uint64, error) { return typed[uint64](a, ScalarUint64, "uint64") }

// Float32s: dtype <f4 (native order).
func (a *Array) Float32s() ([]float32, error) { return typed[float32](a, ScalarFloat32, "float32") }

// Float64s: dtype <f8 (native order).
func (a *Array) Float64s() ([]float64, error) { return typed[float64](a, ScalarFloat64, "float64") }

// Complex64s: dtype <c8 (native order).
func (a *Array) Complex64s() ([]complex64, error) {
	return typed[complex64](a, ScalarComplex64, "complex64")
}

// Complex128s: dtype <c16 (native order).
func (a *Array) Complex128s() ([]complex128, error) {
	return typed[complex128](a, ScalarComplex128, "complex128")
}
