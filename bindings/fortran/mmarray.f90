!> Fortran front end to the mmarray C library (numpy.memmap semantics).
!> (Over 600 lines on purpose: a module is one file its users compile (`gfortran -c
!> mmarray.f90`, as the README, the MPI example, fpm and CMake do), so its parts are
!> include files, not submodules. Here: the declarations, the bind(C) interfaces of the
!> whole C API (a third of the file; tests/binding_coverage.rs reads them here), opening,
!> views, .npy/.npz and the argument helpers. mm_handle.inc: the handle queries
!> (mm_describe_f ...), fields, errors, version and OS controls. mm_pointer_*.inc: the
!> generated specifics of mm_pointer / mm_get_f / mm_put_f, see gen_pointers.py.)
!>
!>   use mmarray
!>   type(mm_array_f) :: a
!>   real(c_double), pointer :: x(:,:)
!>   a = mm_open_f("data.f8", "<f8", "r+", shape=[3_c_size_t, 4_c_size_t], order="F")
!>   call mm_pointer(a, x)        ! x(3,4) aliases the file: no copy
!>   x(2,3) = 1.0d0
!>   call mm_close_f(a)
!>   a = mm_open_npy_f("data.npy", "r+")   ! dtype, shape and order from the .npy header
!>   a = mm_open_f("x.f8", "<f8", "w+", ndim=0)  ! a 0-d array: ndim=0, not shape=[]
!>
!> - Indexing: everything the friendly wrappers take counts as Fortran does, from 1:
!>   axes (axis 1 is numpy's axis 0), mm_slice_f's bounds (an inclusive section
!>   lo:hi:step, as x(lo:hi:step)), record fields (mm_field_f(a, 1) is the first), and the
!>   elements of mm_pointer's arrays. Shapes and strides (mm_shape_f, mm_describe_f, ...)
!>   are numpy's, listed from axis 1: shape(k) is the length of axis k. Byte offsets
!>   and strides are bytes from the array's first byte. The raw bind(C) interfaces (mm_slice,
!>   mm_view, mm_field, ...) keep the C API's numbers (0-based, Python's half-open slices).
!> - Shapes, slice bounds, offsets, strides, flags and row counts accept integers of any
!>   kind (default integer, c_size_t, c_int64_t, ...); a negative shape is MM_E_INVALID_ARG.
!> - The raw C API is available through bind(C) interfaces with the C names (mm_open,
!>   mm_close, mm_data, ...); mm_array handles are integer(c_int64_t) holding the
!>   uint64 value. The DLPack export is not bound: Fortran has no DLPack consumer.
!> - The friendly wrappers take optional `stat` and `errmsg` (a character variable) arguments, like ALLOCATE:
!>   present, they receive the status code (MM_OK = 0) and the library's message; absent,
!>   a failure stops the program with that message (error stop). After a failure the
!>   library reported, mm_last_os_error() is its errno (0 without an OS cause) and
!>   mm_status_str_f(stat) a short text; a wrapper's own argument checks (messages
!>   starting with the wrapper's name, e.g. "mm_slice_f:") do not reach the library and
!>   set no errno.
!> - mm_pointer(arr, p) points a Fortran pointer array at the mapped data, with the array's
!>   shape. The array must be F-contiguous (numpy order='F', or any 1-D array) and of the
!>   pointer's type in native byte order (mm_scalar_kind decides); a C-order array is accepted with
!>   transposed=.true. and then appears with its dimensions reversed (its transpose).
!>   The pointer stays valid while any view of the mapping is open. Data that is not
!>   aligned for the type (numpy allows an <f8 array at byte offset 3; MM_ALIGNED off) is
!>   refused: copy such an array with mm_get_f(arr, values) / mm_put_f(arr, values)
!>   (rank-1 values in memory order, any alignment, through mm_read_at / mm_write_at).
module mmarray
  use, intrinsic :: iso_c_binding
  implicit none
  private

  public :: c_double, c_float, c_int32_t, c_int64_t, c_size_t
  public :: c_int8_t, c_int16_t, c_float_complex, c_double_complex, c_bool
  public :: mm_array_f, mm_open_f, mm_view_f, mm_slice_f, mm_close_f, mm_flush_f
  public :: mm_open_npy_f, mm_create_npy_f, mm_save_npy_f
  public :: mm_npy_append_f, mm_npy_grow_f, mm_npy_recover_f
  public :: mm_open_npy, mm_create_npy, mm_save_npy, mm_npy_append, mm_npy_grow, mm_npy_recover
  public :: mm_npz_names_f, mm_open_npz_f, mm_save_npz_f
  public :: mm_npz_names, mm_open_npz, mm_save_npz
  public :: mm_shape_f, mm_dtype_f, mm_mode_f, mm_last_error_f, mm_pointer, mm_get_f, mm_put_f
  public :: mm_open, mm_close, mm_flush, mm_data, mm_ndim, mm_shape, mm_strides, mm_itemsize
  public :: mm_size, mm_dtype, mm_mode, mm_flags, mm_slice, mm_view, mm_last_error_message
  public :: mm_handle_count, mm_read_at, mm_write_at
  public :: mm_flush_range, mm_flush_range_f, mm_offset, mm_nbytes
  public :: mm_open_fd_f, mm_open_ex, mm_open_fd
  public :: mm_info, mm_info_f, mm_describe_f, mm_describe, mm_scalar_kind_f, mm_scalar_kind
  public :: mm_filename_f, mm_filename, mm_field_info_f, mm_field_f, mm_field_count_f
  public :: mm_field, mm_field_count, mm_field_view_f
  public :: mm_status_str_f, mm_status_str, mm_last_error_copy, mm_last_os_error
  public :: mm_flush_async_f, mm_flush_async, mm_advise_f, mm_advise, mm_resident_f
  public :: mm_resident, mm_lock_f, mm_lock, mm_unlock_f, mm_unlock
  public :: mm_version_string_f, mm_version_string, mm_version

  integer(c_int32_t), parameter, public :: MM_OK = 0, MM_E_INVALID_ARG = 1, &
    MM_E_NOT_FOUND = 2, MM_E_PERMISSION = 3, MM_E_IO = 4, MM_E_FILE_TOO_SMALL = 5, &
    MM_E_SIZE_MISMATCH = 6, MM_E_READ_ONLY = 7, MM_E_FORMAT = 8, MM_E_UNSUPPORTED = 9, &
    MM_E_BAD_HANDLE = 10, MM_E_OUT_OF_BOUNDS = 11, MM_E_PANIC = 99
  integer(c_int32_t), parameter, public :: MM_WRITEABLE = 1, MM_C_CONTIGUOUS = 2, &
    MM_F_CONTIGUOUS = 4, MM_ALIGNED = 8, MM_NATIVE_ORDER = 16
  !> Bounds for the raw mm_slice: an omitted start/stop (step > 0: MM_MIN_INDEX,
  !> MM_MAX_INDEX; step < 0: MM_MAX_INDEX, MM_MIN_INDEX). mm_slice_f omits them by leaving
  !> its optional arguments out.
  integer(c_int64_t), parameter, public :: MM_MAX_INDEX = huge(1_c_int64_t)
  integer(c_int64_t), parameter, public :: MM_MIN_INDEX = -huge(1_c_int64_t) - 1
  !> mm_open_f's flags (mm_open_ex): prefault the array at open (MAP_POPULATE); reserve
  !> the disk blocks of an extension first (a full disk is MM_E_IO, errno ENOSPC, at open).
  integer(c_int32_t), parameter, public :: MM_OPEN_POPULATE = 1, MM_OPEN_PREALLOCATE = 2
  !> mm_advise_f's advice (madvise).
  integer(c_int32_t), parameter, public :: MM_ADVICE_NORMAL = 0, MM_ADVICE_SEQUENTIAL = 1, &
    MM_ADVICE_RANDOM = 2, MM_ADVICE_WILLNEED = 3, MM_ADVICE_DONTNEED = 4, &
    MM_ADVICE_HUGEPAGE = 5, MM_ADVICE_POPULATE_READ = 6, MM_ADVICE_POPULATE_WRITE = 7
  !> mm_scalar_kind's answers: the element type in native byte order (MM_SCALAR_OTHER:
  !> none of them). Fortran's counterparts: logical(c_bool), integer(c_int8_t) ..
  !> integer(c_int64_t), real(c_float), real(c_double), complex(c_float_complex),
  !> complex(c_double_complex); standard Fortran has no unsigned or 16-bit float type.
  integer(c_int32_t), parameter, public :: MM_SCALAR_OTHER = 0, MM_SCALAR_BOOL = 1, &
    MM_SCALAR_INT8 = 2, MM_SCALAR_INT16 = 3, MM_SCALAR_INT32 = 4, MM_SCALAR_INT64 = 5, &
    MM_SCALAR_UINT8 = 6, MM_SCALAR_UINT16 = 7, MM_SCALAR_UINT32 = 8, MM_SCALAR_UINT64 = 9, &
    MM_SCALAR_FLOAT16 = 10, MM_SCALAR_FLOAT32 = 11, MM_SCALAR_FLOAT64 = 12, &
    MM_SCALAR_COMPLEX64 = 13, MM_SCALAR_COMPLEX128 = 14
  !> The most dimensions an array can have (the size of mm_info's shape and strides).
  integer, parameter, public :: MM_MAX_NDIM = 64
  !> The version of the C API this module was written for (mm_version() gives the
  !> library's at run time: MAJOR*10000 + MINOR*100 + PATCH).
  integer(c_int32_t), parameter, public :: MM_VERSION_MAJOR = 0, MM_VERSION_MINOR = 1, &
    MM_VERSION_PATCH = 0

  !> mm_open_f's and mm_open_fd_f's arguments, ready for the C call.
  type :: open_args
    character(len=:), allocatable :: dtype, mode
    character(kind=c_char) :: order = "C"
    integer(c_int64_t) :: offset = 0
    integer(c_size_t), allocatable :: shape(:)
    type(c_ptr) :: pshape = c_null_ptr
    integer(c_size_t) :: ndim = 0
  end type

  !> One open view; h is the C handle (0: none).
  type :: mm_array_f
    integer(c_int64_t) :: h = 0
  end type

  !> The C struct mm_info that the raw mm_describe fills (1088 bytes): shape and strides
  !> hold MM_MAX_NDIM entries, of which the first ndim are set, numpy's axis 0 first.
  type, bind(C) :: mm_info
    type(c_ptr) :: data = c_null_ptr
    integer(c_size_t) :: ndim = 0, itemsize = 0, size = 0, nbytes = 0
    integer(c_int64_t) :: offset = 0       ! C: uint64_t
    integer(c_int32_t) :: flags = 0        ! C: uint32_t
    integer(c_int32_t) :: scalar_kind = 0
    character(kind=c_char) :: mode(4) = c_null_char
    integer(c_int32_t) :: reserved = 0
    integer(c_size_t) :: shape(MM_MAX_NDIM) = 0
    integer(c_int64_t) :: strides(MM_MAX_NDIM) = 0
  end type

  !> mm_describe_f's snapshot of one handle, taken in a single visit of it. shape(k) and
  !> strides(k) (bytes) are numpy's, axis k counted from 1 (shape(1) is numpy's shape[0]);
  !> for an F-contiguous array that is also the shape of mm_pointer's result. data stays
  !> valid while a view of the mapping is open; the rest stays readable after the close.
  type :: mm_info_f
    type(c_ptr) :: data = c_null_ptr
    integer :: ndim = 0
    integer(c_size_t) :: itemsize = 0, size = 0, nbytes = 0
    integer(c_int64_t) :: offset = 0
    integer(c_int32_t) :: flags = 0                      ! MM_WRITEABLE .. MM_NATIVE_ORDER
    integer(c_int32_t) :: scalar_kind = MM_SCALAR_OTHER  ! an MM_SCALAR_* value
    character(len=:), allocatable :: mode                ! "r", "r+", "w+" or "c"
    character(len=:), allocatable :: dtype               ! numpy's text, e.g. "<f8"
    integer(c_size_t), allocatable :: shape(:)
    integer(c_int64_t), allocatable :: strides(:)
  end type

  !> One field of a record dtype (mm_field_f): its name, dtype text (a subarray field's
  !> element dtype), byte offset in the record and subarray shape (numpy's order,
  !> nested levels outermost first; empty for a plain field).
  type :: mm_field_info_f
    character(len=:), allocatable :: name, dtype
    integer(c_int64_t) :: byte_offset = 0
    integer(c_size_t), allocatable :: shape(:)
  end type

  interface
    function mm_open(path, dtype, mode, offset, shape, ndim, order, out) bind(C, name="mm_open")
      import :: c_char, c_int64_t, c_ptr, c_size_t, c_int32_t
      character(kind=c_char), intent(in) :: path(*), dtype(*), mode(*)
      integer(c_int64_t), value :: offset
      type(c_ptr), value :: shape
      integer(c_size_t), value :: ndim
      character(kind=c_char), value :: order
      integer(c_int64_t), intent(out) :: out
      integer(c_int32_t) :: mm_open
    end function
    function mm_open_npy(path, mode, out) bind(C, name="mm_open_npy")
      import :: c_char, c_int64_t, c_int32_t
      character(kind=c_char), intent(in) :: path(*), mode(*)
      integer(c_int64_t), intent(out) :: out
      integer(c_int32_t) :: mm_open_npy
    end function
    function mm_create_npy(path, dtype, shape, ndim, order, out) bind(C, name="mm_create_npy")
      import :: c_char, c_int64_t, c_ptr, c_size_t, c_int32_t
      character(kind=c_char), intent(in) :: path(*), dtype(*)
      type(c_ptr), value :: shape
      integer(c_size_t), value :: ndim
      character(kind=c_char), value :: order
      integer(c_int64_t), intent(out) :: out
      integer(c_int32_t) :: mm_create_npy
    end function
    function mm_save_npy(a, path) bind(C, name="mm_save_npy")
      import :: c_char, c_int64_t, c_int32_t
      integer(c_int64_t), value :: a
      character(kind=c_char), intent(in) :: path(*)
      integer(c_int32_t) :: mm_save_npy
    end function
    function mm_npz_names(path, buf, cap, needed, count) bind(C, name="mm_npz_names")
      import :: c_char, c_ptr, c_size_t, c_int32_t
      character(kind=c_char), intent(in) :: path(*)
      type(c_ptr), value :: buf
      integer(c_size_t), value :: cap
      integer(c_size_t), intent(out) :: needed
      type(c_ptr), value :: count
      integer(c_int32_t) :: mm_npz_names
    end function
    function mm_open_npz(path, name, mode, out) bind(C, name="mm_open_npz")
      import :: c_char, c_int64_t, c_int32_t
      character(kind=c_char), intent(in) :: path(*), name(*), mode(*)
      integer(c_int64_t), intent(out) :: out
      integer(c_int32_t) :: mm_open_npz
    end function
    function mm_save_npz(path, n, names, arrays, compress) bind(C, name="mm_save_npz")
      import :: c_char, c_ptr, c_size_t, c_int, c_int32_t
      character(kind=c_char), intent(in) :: path(*)
      integer(c_size_t), value :: n
      type(c_ptr), value :: names, arrays
      integer(c_int), value :: compress
      integer(c_int32_t) :: mm_save_npz
    end function
    function mm_npy_append(a, rows, nrows, out) bind(C, name="mm_npy_append")
      import :: c_int64_t, c_ptr, c_size_t, c_int32_t
      integer(c_int64_t), value :: a
      type(*), intent(in) :: rows(*)
      integer(c_size_t), value :: nrows
      type(c_ptr), value :: out
      integer(c_int32_t) :: mm_npy_append
    end function
    function mm_npy_grow(a, new_length, out) bind(C, name="mm_npy_grow")
      import :: c_int64_t, c_size_t, c_int32_t
      integer(c_int64_t), value :: a
      integer(c_size_t), value :: new_length
      integer(c_int64_t), intent(out) :: out
      integer(c_int32_t) :: mm_npy_grow
    end function
    function mm_npy_recover(path, length) bind(C, name="mm_npy_recover")
      import :: c_char, c_size_t, c_int32_t
      character(kind=c_char), intent(in) :: path(*)
      integer(c_size_t), intent(out) :: length
      integer(c_int32_t) :: mm_npy_recover
    end function
    function mm_view(base, dtype, byte_offset, shape, ndim, strides, out) bind(C, name="mm_view")
      import :: c_int64_t, c_ptr, c_size_t, c_int32_t
      integer(c_int64_t), value :: base, byte_offset
      type(c_ptr), value :: dtype, shape, strides
      integer(c_size_t), value :: ndim
      integer(c_int64_t), intent(out) :: out
      integer(c_int32_t) :: mm_view
    end function
    function mm_slice(base, axis, start, stop, step, out) bind(C, name="mm_slice")
      import :: c_int64_t, c_size_t, c_int32_t
      integer(c_int64_t), value :: base, start, stop, step
      integer(c_size_t), value :: axis
      integer(c_int64_t), intent(out) :: out
      integer(c_int32_t) :: mm_slice
    end function
    function mm_close(a) bind(C, name="mm_close")
      import :: c_int64_t, c_int32_t
      integer(c_int64_t), value :: a
      integer(c_int32_t) :: mm_close
    end function
    function mm_flush(a) bind(C, name="mm_flush")
      import :: c_int64_t, c_int32_t
      integer(c_int64_t), value :: a
      integer(c_int32_t) :: mm_flush
    end function
    function mm_flush_range(a, byte_offset, nbytes) bind(C, name="mm_flush_range")
      import :: c_int64_t, c_int32_t
      integer(c_int64_t), value :: a, byte_offset, nbytes
      integer(c_int32_t) :: mm_flush_range
    end function
    function mm_offset(a) bind(C, name="mm_offset")
      import :: c_int64_t
      integer(c_int64_t), value :: a
      integer(c_int64_t) :: mm_offset
    end function
    function mm_nbytes(a) bind(C, name="mm_nbytes")
      import :: c_int64_t, c_size_t
      integer(c_int64_t), value :: a
      integer(c_size_t) :: mm_nbytes
    end function
    function mm_data(a) bind(C, name="mm_data")
      import :: c_int64_t, c_ptr
      integer(c_int64_t), value :: a
      type(c_ptr) :: mm_data
    end function
    function mm_ndim(a) bind(C, name="mm_ndim")
      import :: c_int64_t, c_size_t
      integer(c_int64_t), value :: a
      integer(c_size_t) :: mm_ndim
    end function
    function mm_shape(a) bind(C, name="mm_shape")
      import :: c_int64_t, c_ptr
      integer(c_int64_t), value :: a
      type(c_ptr) :: mm_shape
    end function
    function mm_strides(a) bind(C, name="mm_strides")
      import :: c_int64_t, c_ptr
      integer(c_int64_t), value :: a
      type(c_ptr) :: mm_strides
    end function
    function mm_itemsize(a) bind(C, name="mm_itemsize")
      import :: c_int64_t, c_size_t
      integer(c_int64_t), value :: a
      integer(c_size_t) :: mm_itemsize
    end function
    function mm_size(a) bind(C, name="mm_size")
      import :: c_int64_t, c_size_t
      integer(c_int64_t), value :: a
      integer(c_size_t) :: mm_size
    end function
    function mm_dtype(a) bind(C, name="mm_dtype")
      import :: c_int64_t, c_ptr
      integer(c_int64_t), value :: a
      type(c_ptr) :: mm_dtype
    end function
    function mm_mode(a) bind(C, name="mm_mode")
      import :: c_int64_t, c_ptr
      integer(c_int64_t), value :: a
      type(c_ptr) :: mm_mode
    end function
    function mm_flags(a) bind(C, name="mm_flags")
      import :: c_int64_t, c_int32_t
      integer(c_int64_t), value :: a
      integer(c_int32_t) :: mm_flags
    end function
    function mm_read_at(a, byte_offset, dst, nbytes) bind(C, name="mm_read_at")
      import :: c_int64_t, c_ptr, c_size_t, c_int32_t
      integer(c_int64_t), value :: a, byte_offset
      type(c_ptr), value :: dst
      integer(c_size_t), value :: nbytes
      integer(c_int32_t) :: mm_read_at
    end function
    function mm_write_at(a, byte_offset, src, nbytes) bind(C, name="mm_write_at")
      import :: c_int64_t, c_ptr, c_size_t, c_int32_t
      integer(c_int64_t), value :: a, byte_offset
      type(c_ptr), value :: src
      integer(c_size_t), value :: nbytes
      integer(c_int32_t) :: mm_write_at
    end function
    function mm_handle_count() bind(C, name="mm_handle_count")
      import :: c_size_t
      integer(c_size_t) :: mm_handle_count
    end function
    function mm_last_error_message() bind(C, name="mm_last_error_message")
      import :: c_ptr
      type(c_ptr) :: mm_last_error_message
    end function
    function mm_open_ex(path, dtype, mode, offset, shape, ndim, order, flags, out) &
        bind(C, name="mm_open_ex")
      import :: c_char, c_int64_t, c_ptr, c_size_t, c_int32_t
      character(kind=c_char), intent(in) :: path(*), dtype(*), mode(*)
      integer(c_int64_t), value :: offset
      type(c_ptr), value :: shape
      integer(c_size_t), value :: ndim
      character(kind=c_char), value :: order
      integer(c_int32_t), value :: flags  ! C: uint32_t
      integer(c_int64_t), intent(out) :: out
      integer(c_int32_t) :: mm_open_ex
    end function
    function mm_open_fd(fd, dtype, mode, offset, shape, ndim, order, out) &
        bind(C, name="mm_open_fd")
      import :: c_char, c_int, c_int64_t, c_ptr, c_size_t, c_int32_t
      integer(c_int), value :: fd
      character(kind=c_char), intent(in) :: dtype(*), mode(*)
      integer(c_int64_t), value :: offset
      type(c_ptr), value :: shape
      integer(c_size_t), value :: ndim
      character(kind=c_char), value :: order
      integer(c_int64_t), intent(out) :: out
      integer(c_int32_t) :: mm_open_fd
    end function
    function mm_status_str(s) bind(C, name="mm_status_str")
      import :: c_int32_t, c_ptr
      integer(c_int32_t), value :: s
      type(c_ptr) :: mm_status_str
    end function
    function mm_last_error_copy(buf, cap) bind(C, name="mm_last_error_copy")
      import :: c_ptr, c_size_t
      type(c_ptr), value :: buf
      integer(c_size_t), value :: cap
      integer(c_size_t) :: mm_last_error_copy
    end function
    function mm_last_os_error() bind(C, name="mm_last_os_error")
      import :: c_int32_t
      integer(c_int32_t) :: mm_last_os_error
    end function
    function mm_filename(a) bind(C, name="mm_filename")
      import :: c_int64_t, c_ptr
      integer(c_int64_t), value :: a
      type(c_ptr) :: mm_filename
    end function
    function mm_describe(a, out, dtype_buf, dtype_cap, dtype_needed) bind(C, name="mm_describe")
      import :: c_int64_t, c_ptr, c_size_t, c_int32_t, mm_info
      integer(c_int64_t), value :: a
      type(mm_info), intent(out) :: out
      type(c_ptr), value :: dtype_buf
      integer(c_size_t), value :: dtype_cap
      integer(c_size_t), intent(out) :: dtype_needed
      integer(c_int32_t) :: mm_describe
    end function
    function mm_scalar_kind(a) bind(C, name="mm_scalar_kind")
      import :: c_int64_t, c_int32_t
      integer(c_int64_t), value :: a
      integer(c_int32_t) :: mm_scalar_kind
    end function
    function mm_flush_async(a) bind(C, name="mm_flush_async")
      import :: c_int64_t, c_int32_t
      integer(c_int64_t), value :: a
      integer(c_int32_t) :: mm_flush_async
    end function
    function mm_advise(a, advice) bind(C, name="mm_advise")
      import :: c_int64_t, c_int32_t
      integer(c_int64_t), value :: a
      integer(c_int32_t), value :: advice
      integer(c_int32_t) :: mm_advise
    end function
    function mm_resident(a, resident_bytes) bind(C, name="mm_resident")
      import :: c_int64_t, c_int32_t
      integer(c_int64_t), value :: a
      integer(c_int64_t), intent(out) :: resident_bytes  ! C: uint64_t
      integer(c_int32_t) :: mm_resident
    end function
    function mm_lock(a) bind(C, name="mm_lock")
      import :: c_int64_t, c_int32_t
      integer(c_int64_t), value :: a
      integer(c_int32_t) :: mm_lock
    end function
    function mm_unlock(a) bind(C, name="mm_unlock")
      import :: c_int64_t, c_int32_t
      integer(c_int64_t), value :: a
      integer(c_int32_t) :: mm_unlock
    end function
    function mm_field_count(a) bind(C, name="mm_field_count")
      import :: c_int64_t, c_size_t
      integer(c_int64_t), value :: a
      integer(c_size_t) :: mm_field_count
    end function
    function mm_field(a, i, name, dtype, byte_offset, ndim, shape) bind(C, name="mm_field")
      import :: c_int64_t, c_ptr, c_size_t, c_int32_t
      integer(c_int64_t), value :: a
      integer(c_size_t), value :: i
      type(c_ptr), intent(out) :: name, dtype, shape
      integer(c_size_t), intent(out) :: byte_offset, ndim
      integer(c_int32_t) :: mm_field
    end function
    function mm_version_string() bind(C, name="mm_version_string")
      import :: c_ptr
      type(c_ptr) :: mm_version_string
    end function
    function mm_version() bind(C, name="mm_version")
      import :: c_int32_t
      integer(c_int32_t) :: mm_version  ! C: uint32_t
    end function
    function c_strlen(s) bind(C, name="strlen")
      import :: c_ptr, c_size_t
      type(c_ptr), value :: s
      integer(c_size_t) :: c_strlen
    end function
  end interface

  include "mm_pointer_names.inc"

contains

  !> A C string as a Fortran string ("" for NULL).
  function from_c(p) result(s)
    type(c_ptr), intent(in) :: p
    character(len=:), allocatable :: s
    character(kind=c_char), pointer :: chars(:)
    integer :: i, n
    if (.not. c_associated(p)) then
      s = ""
      return
    end if
    n = int(c_strlen(p))
    call c_f_pointer(p, chars, [n])
    allocate(character(len=n) :: s)
    do i = 1, n
      s(i:i) = chars(i)
    end do
  end function

  !> The message of the last failed library call on this thread (mm_last_error_copy).
  function mm_last_error_f() result(msg)
    character(len=:), allocatable :: msg
    character(kind=c_char), allocatable, target :: buf(:)
    integer(c_size_t) :: n
    n = mm_last_error_copy(c_null_ptr, 0_c_size_t)  ! the length with its NUL
    allocate(buf(n))
    n = min(n, mm_last_error_copy(c_loc(buf), size(buf, kind=c_size_t)))
    allocate(character(len=n - 1) :: msg)
    msg = transfer(buf(1:n - 1), msg)
  end function

  !> Reports status `s` of a call: into stat/errmsg when present, else error stop.
  subroutine report(s, message, stat, errmsg)
    integer(c_int32_t), intent(in) :: s
    character(len=*), intent(in) :: message
    integer, intent(out), optional :: stat
    character(len=*), intent(out), optional :: errmsg
    if (present(stat)) stat = int(s)
    if (present(errmsg)) errmsg = message
    if (s /= MM_OK .and. .not. present(stat)) then
      error stop message
    end if
  end subroutine

  subroutine check(s, stat, errmsg)
    integer(c_int32_t), intent(in) :: s
    integer, intent(out), optional :: stat
    character(len=*), intent(out), optional :: errmsg
    if (s == MM_OK) then
      call report(s, "", stat, errmsg)
    else
      call report(s, mm_last_error_f(), stat, errmsg)
    end if
  end subroutine

  !> numpy.memmap(path, dtype, mode, offset, shape, order). dtype defaults to "u1", mode
  !> to "r+", order to "C"; shape absent infers a 1-D shape from the file size. shape is
  !> numpy's shape (with order="F" it is also the Fortran shape of mm_pointer's result).
  !> flags (mm_open_ex): MM_OPEN_POPULATE and MM_OPEN_PREALLOCATE, ior'ed; absent or 0 is
  !> plain mm_open (unknown bits are MM_E_INVALID_ARG).
  !>
  !> A 0-d array (numpy's shape ()) needs ndim=0: gfortran passes an empty array
  !> constructor (shape=[integer(c_size_t) ::]) to an optional argument as absent, which
  !> would infer a 1-D shape. ndim, when present, is the number of dimensions: 0 with
  !> shape absent or empty, else size(shape) (a mismatch is MM_E_INVALID_ARG).
  function mm_open_f(path, dtype, mode, shape, order, offset, stat, errmsg, ndim, flags) &
      result(arr)
    character(len=*), intent(in) :: path
    character(len=*), intent(in), optional :: dtype, mode, order
    class(*), intent(in), optional :: shape(:), offset, flags
    integer, intent(out), optional :: stat
    character(len=*), intent(out), optional :: errmsg
    integer, intent(in), optional :: ndim
    type(mm_array_f) :: arr
    type(open_args) :: o
    integer(c_int64_t) :: fl
    if (.not. prepare_open(o, "mm_open_f", dtype, mode, shape, order, offset, ndim, stat, &
                           errmsg)) return
    fl = 0
    if (present(flags)) then
      if (.not. to_i64(flags, fl, "mm_open_f: flags", stat, errmsg)) return
      if (fl < 0 .or. fl > huge(1_c_int32_t)) then  ! bits 31..63: none is a flag
        call report(MM_E_INVALID_ARG, "mm_open_f: flags " // itoa8(fl) // &
                    " has bits no MM_OPEN_* flag uses", stat, errmsg)
        return
      end if
    end if
    if (fl == 0) then
      call check(mm_open(path // c_null_char, o%dtype // c_null_char, o%mode // c_null_char, &
                         o%offset, o%pshape, o%ndim, o%order, arr%h), stat, errmsg)
    else
      call check(mm_open_ex(path // c_null_char, o%dtype // c_null_char, o%mode // c_null_char, &
                            o%offset, o%pshape, o%ndim, o%order, int(fl, c_int32_t), arr%h), &
                 stat, errmsg)
    end if
  end function

  !> mm_open_f on a file descriptor the caller opened (numpy's file-object case), for
  !> programs that get descriptors from C (open(2), fileno(fopen(...)), a socket-passed
  !> fd, ...) or gfortran's fnum(unit) extension. fd is any integer kind. The mapping
  !> counts from byte 0 of the file whatever the descriptor's position; it never
  !> truncates (not even in w+), never closes fd and does not keep it; modes r+ and w+
  !> need fd opened read-write (else MM_E_PERMISSION). mm_filename_f of the result is "".
  function mm_open_fd_f(fd, dtype, mode, shape, order, offset, stat, errmsg, ndim) result(arr)
    class(*), intent(in) :: fd
    character(len=*), intent(in), optional :: dtype, mode, order
    class(*), intent(in), optional :: shape(:), offset
    integer, intent(out), optional :: stat
    character(len=*), intent(out), optional :: errmsg
    integer, intent(in), optional :: ndim
    type(mm_array_f) :: arr
    type(open_args) :: o
    integer(c_int64_t) :: f
    if (.not. to_i64(fd, f, "mm_open_fd_f: fd", stat, errmsg)) return
    if (.not. prepare_open(o, "mm_open_fd_f", dtype, mode, shape, order, offset, ndim, stat, &
                           errmsg)) return
    ! An fd beyond C's int is no descriptor: -1 lets the library refuse it.
    if (f > huge(1_c_int) .or. f < -huge(1_c_int)) f = -1
    call check(mm_open_fd(int(f, c_int), o%dtype // c_null_char, o%mode // c_null_char, &
                          o%offset, o%pshape, o%ndim, o%order, arr%h), stat, errmsg)
  end function

  !> The arguments mm_open_f and mm_open_fd_f share, with their defaults applied and the
  !> shape converted; false (and reported) for a bad one.
  logical function prepare_open(o, what, dtype, mode, shape, order, offset, ndim, stat, errmsg)
    type(open_args), intent(out), target :: o
    character(len=*), intent(in) :: what
    character(len=*), intent(in), optional :: dtype, mode, order
    class(*), intent(in), optional :: shape(:), offset
    integer, intent(in), optional :: ndim
    integer, intent(out), optional :: stat
    character(len=*), intent(out), optional :: errmsg
    prepare_open = .false.
    o%dtype = "u1"
    o%mode = "r+"
    if (present(dtype)) o%dtype = dtype
    if (present(mode)) o%mode = mode
    if (present(order)) o%order = order(1:1)
    if (present(offset)) then
      if (.not. to_i64(offset, o%offset, what // ": offset", stat, errmsg)) return
    end if
    if (present(shape)) then
      allocate(o%shape(max(size(shape), 1)))  ! a 0-d array still needs a non-NULL pointer
      if (.not. to_sizes(shape, o%shape, what, stat, errmsg)) return
      o%ndim = size(shape, kind=c_size_t)
    end if
    if (present(ndim)) then
      if (ndim /= o%ndim) then
        call report(MM_E_INVALID_ARG, what // ": ndim=" // itoa(ndim) // " but shape has " // &
                    itoa(int(o%ndim)) // " entries", stat, errmsg)
        return
      end if
      if (.not. present(shape)) allocate(o%shape(1))  ! ndim=0: 0-d, a non-NULL pointer
    end if
    if (allocated(o%shape)) o%pshape = c_loc(o%shape)
    prepare_open = .true.
  end function

  !> np.load(path, mmap_mode=mode) of a .npy file: dtype, shape and order come from its
  !> header (a file numpy saved from an F-order array opens F-contiguous, ready for
  !> mm_pointer). mode is "r", "r+" or "c"; it defaults to "r+" (open_memmap's default).
  function mm_open_npy_f(path, mode, stat, errmsg) result(arr)
    character(len=*), intent(in) :: path
    character(len=*), intent(in), optional :: mode
    integer, intent(out), optional :: stat
    character(len=*), intent(out), optional :: errmsg
    type(mm_array_f) :: arr
    character(len=:), allocatable :: md
    md = "r+"
    if (present(mode)) md = mode
    call check(mm_open_npy(path // c_null_char, md // c_null_char, arr%h), stat, errmsg)
  end function

  !> numpy's open_memmap(path, mode="w+", dtype, shape, fortran_order=(order == "F")):
  !> creates (or truncates) a .npy file of zeros and maps it read-write (mode "r+").
  !> order defaults to "C" as in numpy; with order="F", shape is also the Fortran shape of
  !> mm_pointer's result. Filled and flushed, the file equals np.save of the array.
  function mm_create_npy_f(path, dtype, shape, order, stat, errmsg) result(arr)
    character(len=*), intent(in) :: path, dtype
    class(*), intent(in) :: shape(:)
    character(len=*), intent(in), optional :: order
    integer, intent(out), optional :: stat
    character(len=*), intent(out), optional :: errmsg
    type(mm_array_f) :: arr
    integer(c_size_t), target :: shp(max(size(shape), 1))  ! 0-d: still a non-NULL pointer
    character(kind=c_char) :: ord
    ord = "C"
    if (present(order)) ord = order(1:1)
    if (.not. to_sizes(shape, shp, "mm_create_npy_f", stat, errmsg)) return
    call check(mm_create_npy(path // c_null_char, dtype // c_null_char, c_loc(shp), &
                             size(shape, kind=c_size_t), ord, arr%h), stat, errmsg)
  end function

  !> np.save(path, <the view>): the bytes numpy writes, replacing path atomically.
  subroutine mm_save_npy_f(arr, path, stat, errmsg)
    type(mm_array_f), intent(in) :: arr
    character(len=*), intent(in) :: path
    integer, intent(out), optional :: stat
    character(len=*), intent(out), optional :: errmsg
    call check(mm_save_npy(arr%h, path // c_null_char), stat, errmsg)
  end subroutine

  !> np.load(path).files of a .npz archive: every member, ".npy" removed, in archive
  !> order, each name blank-padded to the longest one's length.
  function mm_npz_names_f(path, stat, errmsg) result(names)
    character(len=*), intent(in) :: path
    integer, intent(out), optional :: stat
    character(len=*), intent(out), optional :: errmsg
    character(len=:), allocatable :: names(:)
    character(kind=c_char), allocatable, target :: buf(:)
    integer(c_size_t) :: needed, cap, i, start, count, longest
    integer(c_int32_t) :: s
    allocate(character(len=0) :: names(0))
    needed = 0
    s = mm_npz_names(path // c_null_char, c_null_ptr, 0_c_size_t, needed, c_null_ptr)
    if (s == MM_OK) then
      cap = needed
      allocate(buf(cap))
      s = mm_npz_names(path // c_null_char, c_loc(buf), cap, needed, c_null_ptr)
    end if
    if (s /= MM_OK) then
      call check(s, stat, errmsg)
      return
    end if
    ! Names end at each NUL; the list ends with an extra NUL.
    count = 0
    longest = 0
    start = 1
    do i = 1, needed - 1
      if (buf(i) == c_null_char) then
        count = count + 1
        longest = max(longest, i - start)
        start = i + 1
      end if
    end do
    deallocate(names)
    allocate(character(len=longest) :: names(count))
    count = 0
    start = 1
    do i = 1, needed - 1
      if (buf(i) == c_null_char) then
        count = count + 1
        names(count) = transfer(buf(start:i - 1), repeat(" ", int(i - start)))
        start = i + 1
      end if
    end do
    call check(s, stat, errmsg)
  end function

  !> np.load(path)[name] of a .npz archive, without reading the whole member: a stored
  !> member (np.savez) is mapped in place (its data is generally not aligned: read it
  !> with mm_get_f), a deflated one (np.savez_compressed) inflated into private memory.
  !> mode is "r" (the default) or "c"; "r+" and "w+" are MM_E_UNSUPPORTED.
  function mm_open_npz_f(path, name, mode, stat, errmsg) result(arr)
    character(len=*), intent(in) :: path, name
    character(len=*), intent(in), optional :: mode
    integer, intent(out), optional :: stat
    character(len=*), intent(out), optional :: errmsg
    type(mm_array_f) :: arr
    character(len=:), allocatable :: md
    md = "r"
    if (present(mode)) md = mode
    call check(mm_open_npz(path // c_null_char, name // c_null_char, md // c_null_char, &
                           arr%h), stat, errmsg)
  end function

  !> np.savez (compress absent or .false.) or np.savez_compressed (.true.) of arrs under
  !> names (trailing blanks removed), in order; streamed, replacing path atomically.
  subroutine mm_save_npz_f(path, names, arrs, compress, stat, errmsg)
    character(len=*), intent(in) :: path
    character(len=*), intent(in) :: names(:)
    type(mm_array_f), intent(in) :: arrs(:)
    logical, intent(in), optional :: compress
    integer, intent(out), optional :: stat
    character(len=*), intent(out), optional :: errmsg
    character(kind=c_char, len=len(names) + 1), allocatable, target :: cnames(:)
    type(c_ptr), allocatable, target :: ptrs(:)
    integer(c_int64_t), allocatable, target :: handles(:)
    integer(c_int) :: c
    integer :: i
    if (size(names) /= size(arrs)) then
      call report(MM_E_INVALID_ARG, "mm_save_npz_f: " // itoa(size(names)) // " names for " &
                  // itoa(size(arrs)) // " arrays", stat, errmsg)
      return
    end if
    allocate(cnames(max(size(names), 1)), ptrs(max(size(names), 1)), handles(max(size(names), 1)))
    do i = 1, size(names)
      cnames(i) = trim(names(i)) // c_null_char
      ptrs(i) = c_loc(cnames(i))
      handles(i) = arrs(i)%h
    end do
    c = 0
    if (present(compress)) then
      if (compress) c = 1
    end if
    call check(mm_save_npz(path // c_null_char, int(size(names), c_size_t), c_loc(ptrs), &
                           c_loc(handles), c), stat, errmsg)
  end subroutine

  !> mm_npy_append: appends nrows rows to the .npy file that arr (a whole array from
  !> mm_open_npy_f in mode "r+" or mm_create_npy_f) maps, after the file's current length,
  !> and rewrites its header in place (the file stays np.save's). For an F-order file the
  !> last axis grows and a row is one slab of it: a Fortran array section x(:, k1:k2) of
  !> the array's type is k2 - k1 + 1 rows. rows must hold nrows rows of arr's dtype.
  subroutine mm_npy_append_f(arr, rows, nrows, stat, errmsg)
    type(mm_array_f), intent(in) :: arr
    type(*), intent(in) :: rows(*)
    class(*), intent(in) :: nrows
    integer, intent(out), optional :: stat
    character(len=*), intent(out), optional :: errmsg
    integer(c_size_t) :: n(1)
    if (.not. to_size(nrows, n(1), "mm_npy_append_f: nrows", stat, errmsg)) return
    call check(mm_npy_append(arr%h, rows, n(1), c_null_ptr), stat, errmsg)
  end subroutine

  !> mm_npy_grow: grows the growth axis of arr's file to new_length with zero rows; the
  !> result is the whole grown array (close it), to fill through mm_pointer.
  function mm_npy_grow_f(arr, new_length, stat, errmsg) result(grown)
    type(mm_array_f), intent(in) :: arr
    class(*), intent(in) :: new_length
    integer, intent(out), optional :: stat
    character(len=*), intent(out), optional :: errmsg
    type(mm_array_f) :: grown
    integer(c_size_t) :: n(1)
    if (.not. to_size(new_length, n(1), "mm_npy_grow_f: new_length", stat, errmsg)) return
    call check(mm_npy_grow(arr%h, n(1), grown%h), stat, errmsg)
  end function

  !> mm_npy_recover: after a crash, the header of the .npy file at path counts every
  !> whole row the file holds (a trailing partial row is removed); returns the length.
  function mm_npy_recover_f(path, stat, errmsg) result(length)
    character(len=*), intent(in) :: path
    integer, intent(out), optional :: stat
    character(len=*), intent(out), optional :: errmsg
    integer(c_size_t) :: length
    length = 0
    call check(mm_npy_recover(path // c_null_char, length), stat, errmsg)
  end function

  !> n in decimal, without blanks.
  function itoa(n) result(s)
    integer, intent(in) :: n
    character(len=:), allocatable :: s
    character(len=24) :: buf
    write(buf, "(i0)") n
    s = trim(buf)
  end function

  !> A new view over the same mapping (see mm_view); strides in bytes, absent for C order.
  !> strides, when present, must have one entry per dimension (else MM_E_INVALID_ARG).
  function mm_view_f(base, shape, byte_offset, strides, dtype, stat, errmsg) result(arr)
    type(mm_array_f), intent(in) :: base
    class(*), intent(in) :: shape(:)
    class(*), intent(in), optional :: byte_offset
    class(*), intent(in), optional :: strides(:)
    character(len=*), intent(in), optional :: dtype
    integer, intent(out), optional :: stat
    character(len=*), intent(out), optional :: errmsg
    type(mm_array_f) :: arr
    integer(c_size_t), target :: shp(max(size(shape), 1))
    integer(c_int64_t), allocatable, target :: st(:)
    character(kind=c_char, len=:), allocatable, target :: dt
    type(c_ptr) :: pdt, pst
    integer(c_int64_t) :: off
    if (.not. to_sizes(shape, shp, "mm_view_f", stat, errmsg)) return
    off = 0
    if (present(byte_offset)) then
      if (.not. to_i64(byte_offset, off, "mm_view_f: byte_offset", stat, errmsg)) return
    end if
    pdt = c_null_ptr
    if (present(dtype)) then
      dt = dtype // c_null_char
      pdt = c_loc(dt)
    end if
    pst = c_null_ptr
    if (present(strides)) then
      if (size(strides) /= size(shape)) then
        call report(MM_E_INVALID_ARG, "mm_view_f: " // itoa(size(strides)) // &
                    " strides for " // itoa(size(shape)) // " dimensions", stat, errmsg)
        return
      end if
      allocate(st(max(size(strides), 1)))
      if (.not. to_i64s(strides, st, "mm_view_f: strides", stat, errmsg)) return
      pst = c_loc(st)
    end if
    call check(mm_view(base%h, pdt, off, c_loc(shp), size(shape, kind=c_size_t), pst, arr%h), &
               stat, errmsg)
  end function

  !> The section lo:hi:step of axis `axis`, counted as Fortran counts: axis 1 is numpy's
  !> axis 0, and mm_slice_f(a, 2, 3, 5) is the columns x(:, 3:5) of mm_pointer's x (numpy's
  !> a[:, 2:5]). start and stop are inclusive and 1-based; absent, they are the first and
  !> last index the step reaches (step > 0: 1 and n; step < 0: n and 1); step defaults
  !> to 1 and may be negative (mm_slice_f(a, 1, step=-1) reverses axis 1). As in a Fortran
  !> section the number of elements is max(0, (stop - start + step) / step); a non-empty
  !> section whose indices leave 1..n is MM_E_OUT_OF_BOUNDS (Python would clamp or count
  !> from the end: use the raw mm_slice for that). step 0 is MM_E_INVALID_ARG.
  function mm_slice_f(base, axis, start, stop, step, stat, errmsg) result(arr)
    type(mm_array_f), intent(in) :: base
    integer, intent(in) :: axis
    class(*), intent(in), optional :: start, stop, step
    integer, intent(out), optional :: stat
    character(len=*), intent(out), optional :: errmsg
    type(mm_array_f) :: arr
    integer(c_int64_t) :: lo, hi, st, n, count, last, cstop
    type(mm_info_f) :: info
    integer(c_int32_t) :: s
    st = 1
    if (present(step)) then
      if (.not. to_i64(step, st, "mm_slice_f: step", stat, errmsg)) return
    end if
    call snapshot(base%h, info, s)
    if (s /= MM_OK) then
      call check(s, stat, errmsg)
      return
    end if
    if (axis < 1 .or. axis > info%ndim .or. st == 0) then  ! the C call says what is wrong
      call check(mm_slice(base%h, int(max(axis - 1, 0), c_size_t) + &
                          merge(huge(1_c_size_t), 0_c_size_t, axis < 1), 0_c_int64_t, &
                          0_c_int64_t, st, arr%h), stat, errmsg)
      return
    end if
    n = int(info%shape(axis), c_int64_t)
    lo = merge(1_c_int64_t, n, st > 0)
    hi = merge(n, 1_c_int64_t, st > 0)
    if (present(start)) then
      if (.not. to_i64(start, lo, "mm_slice_f: start", stat, errmsg)) return
    end if
    if (present(stop)) then
      if (.not. to_i64(stop, hi, "mm_slice_f: stop", stat, errmsg)) return
    end if
    count = max(0_c_int64_t, (hi - lo + st) / st)
    if (count == 0) then
      call check(mm_slice(base%h, int(axis - 1, c_size_t), 0_c_int64_t, 0_c_int64_t, &
                          1_c_int64_t, arr%h), stat, errmsg)
      return
    end if
    last = lo + (count - 1) * st
    if (lo < 1 .or. lo > n .or. last < 1 .or. last > n) then
      call report(MM_E_OUT_OF_BOUNDS, "mm_slice_f: the section " // itoa8(lo) // ":" // &
                  itoa8(hi) // ":" // itoa8(st) // " of axis " // itoa(axis) // &
                  " reaches index " // itoa8(merge(lo, last, lo < 1 .or. lo > n)) // &
                  ", outside 1.." // itoa8(n), stat, errmsg)
      return
    end if
    ! 0-based, half-open: [lo - 1, last - 1 + st); below 0 is "through index 0" for st < 0.
    cstop = last - 1 + st
    if (cstop < 0) cstop = MM_MIN_INDEX
    call check(mm_slice(base%h, int(axis - 1, c_size_t), lo - 1, cstop, st, arr%h), stat, errmsg)
  end function

  !> to_i64 of a scalar of any integer kind; false (and reported) for anything else.
  logical function to_i64(v, out, what, stat, errmsg)
    class(*), intent(in) :: v
    integer(c_int64_t), intent(out) :: out
    character(len=*), intent(in) :: what
    integer, intent(out), optional :: stat
    character(len=*), intent(out), optional :: errmsg
    to_i64 = .true.
    out = 0
    select type (v)
    type is (integer(c_int8_t))
      out = v
    type is (integer(c_int16_t))
      out = v
    type is (integer(c_int32_t))
      out = v
    type is (integer(c_int64_t))
      out = v
    class default
      to_i64 = .false.
      call report(MM_E_INVALID_ARG, what // " must be an integer", stat, errmsg)
    end select
  end function

  !> Rank-1 integers of any kind as int64 into out(1:size(v)).
  logical function to_i64s(v, out, what, stat, errmsg)
    class(*), intent(in) :: v(:)
    integer(c_int64_t), intent(inout) :: out(:)
    character(len=*), intent(in) :: what
    integer, intent(out), optional :: stat
    character(len=*), intent(out), optional :: errmsg
    to_i64s = .true.
    select type (v)
    type is (integer(c_int8_t))
      out(1:size(v)) = v
    type is (integer(c_int16_t))
      out(1:size(v)) = v
    type is (integer(c_int32_t))
      out(1:size(v)) = v
    type is (integer(c_int64_t))
      out(1:size(v)) = v
    class default
      to_i64s = .false.
      call report(MM_E_INVALID_ARG, what // " must be integers", stat, errmsg)
    end select
  end function

  !> A count or size of any integer kind; a negative one is reported.
  logical function to_size(v, out, what, stat, errmsg)
    class(*), intent(in) :: v
    integer(c_size_t), intent(out) :: out
    character(len=*), intent(in) :: what
    integer, intent(out), optional :: stat
    character(len=*), intent(out), optional :: errmsg
    integer(c_int64_t) :: x
    out = 0
    to_size = to_i64(v, x, what, stat, errmsg)
    if (.not. to_size) return
    if (x < 0) then
      to_size = .false.
      call report(MM_E_INVALID_ARG, what // " is negative (" // itoa8(x) // ")", stat, errmsg)
      return
    end if
    out = int(x, c_size_t)
  end function

  !> A shape of any integer kind into out(1:size(v)); a negative dimension is reported.
  logical function to_sizes(v, out, what, stat, errmsg)
    class(*), intent(in) :: v(:)
    integer(c_size_t), intent(inout) :: out(:)
    character(len=*), intent(in) :: what
    integer, intent(out), optional :: stat
    character(len=*), intent(out), optional :: errmsg
    integer(c_int64_t) :: x(size(v))
    to_sizes = to_i64s(v, x, what // ": shape", stat, errmsg)
    if (.not. to_sizes) return
    if (any(x < 0)) then
      to_sizes = .false.
      call report(MM_E_INVALID_ARG, what // ": a negative dimension in the shape (" // &
                  itoa8(minval(x)) // ")", stat, errmsg)
      return
    end if
    out(1:size(v)) = int(x, c_size_t)
  end function

  !> n (int64) in decimal, without blanks.
  function itoa8(n) result(s)
    integer(c_int64_t), intent(in) :: n
    character(len=:), allocatable :: s
    character(len=24) :: buf
    write(buf, "(i0)") n
    s = trim(buf)
  end function

  !> Releases the view; closing an empty (h = 0) array does nothing.
  subroutine mm_close_f(arr, stat, errmsg)
    type(mm_array_f), intent(inout) :: arr
    integer, intent(out), optional :: stat
    character(len=*), intent(out), optional :: errmsg
    integer(c_int64_t) :: h
    h = arr%h
    arr%h = 0
    if (h == 0) then
      call report(MM_OK, "", stat, errmsg)
    else
      call check(mm_close(h), stat, errmsg)
    end if
  end subroutine

  !> msync of the whole mapping (no effect in modes r and c).
  subroutine mm_flush_f(arr, stat, errmsg)
    type(mm_array_f), intent(in) :: arr
    integer, intent(out), optional :: stat
    character(len=*), intent(out), optional :: errmsg
    call check(mm_flush(arr%h), stat, errmsg)
  end subroutine

  !> msync of the pages holding nbytes bytes at byte_offset after the view's first byte
  !> (both absent: the view's whole extent, mm_nbytes); no effect in modes r and c.
  subroutine mm_flush_range_f(arr, byte_offset, nbytes, stat, errmsg)
    type(mm_array_f), intent(in) :: arr
    class(*), intent(in), optional :: byte_offset, nbytes
    integer, intent(out), optional :: stat
    character(len=*), intent(out), optional :: errmsg
    integer(c_int64_t) :: off, n
    off = 0
    n = int(mm_nbytes(arr%h), c_int64_t)
    if (present(byte_offset)) then
      if (.not. to_i64(byte_offset, off, "mm_flush_range_f: byte_offset", stat, errmsg)) return
    end if
    if (present(nbytes)) then
      if (.not. to_i64(nbytes, n, "mm_flush_range_f: nbytes", stat, errmsg)) return
    end if
    call check(mm_flush_range(arr%h, off, n), stat, errmsg)
  end subroutine

  !> numpy's shape of the array (empty for a bad handle).
  function mm_shape_f(arr) result(shp)
    type(mm_array_f), intent(in) :: arr
    integer(c_size_t), allocatable :: shp(:)
    type(mm_info_f) :: info
    integer(c_int32_t) :: s
    call snapshot(arr%h, info, s)
    call move_alloc(info%shape, shp)
  end function

  !> numpy's type string, e.g. "<f8" ("" for a bad handle).
  function mm_dtype_f(arr) result(dt)
    type(mm_array_f), intent(in) :: arr
    character(len=:), allocatable :: dt
    type(mm_info_f) :: info
    integer(c_int32_t) :: s
    call snapshot(arr%h, info, s)
    call move_alloc(info%dtype, dt)
  end function

  !> "r", "r+", "w+" or "c" ("" for a bad handle).
  function mm_mode_f(arr) result(md)
    type(mm_array_f), intent(in) :: arr
    character(len=:), allocatable :: md
    type(mm_info_f) :: info
    integer(c_int32_t) :: s
    call snapshot(arr%h, info, s)
    call move_alloc(info%mode, md)
  end function

  !> The Fortran type of an MM_SCALAR_* value, for messages.
  function kind_name(kind) result(s)
    integer(c_int32_t), intent(in) :: kind
    character(len=:), allocatable :: s
    select case (kind)
    case (MM_SCALAR_BOOL)
      s = "logical(c_bool)"
    case (MM_SCALAR_INT8)
      s = "integer(c_int8_t)"
    case (MM_SCALAR_INT16)
      s = "integer(c_int16_t)"
    case (MM_SCALAR_INT32)
      s = "integer(c_int32_t)"
    case (MM_SCALAR_INT64)
      s = "integer(c_int64_t)"
    case (MM_SCALAR_FLOAT32)
      s = "real(c_float)"
    case (MM_SCALAR_FLOAT64)
      s = "real(c_double)"
    case (MM_SCALAR_COMPLEX64)
      s = "complex(c_float_complex)"
    case (MM_SCALAR_COMPLEX128)
      s = "complex(c_double_complex)"
    case default
      s = "MM_SCALAR " // itoa(int(kind))
    end select
  end function

  !> Checks the element type (mm_scalar_kind, one of MM_SCALAR_*), rank and layout for
  !> mm_pointer, on one snapshot of the handle; data is C NULL on failure.
  subroutine locate(arr, kind, rank, transposed, shp, data, stat, errmsg)
    type(mm_array_f), intent(in) :: arr
    integer(c_int32_t), intent(in) :: kind
    integer, intent(in) :: rank
    logical, intent(in), optional :: transposed
    integer(c_size_t), intent(out) :: shp(rank)
    type(c_ptr), intent(out) :: data
    integer, intent(out), optional :: stat
    character(len=*), intent(out), optional :: errmsg
    type(mm_info_f) :: info
    integer(c_int32_t) :: s
    logical :: allow_c
    data = c_null_ptr
    allow_c = .false.
    if (present(transposed)) allow_c = transposed
    call snapshot(arr%h, info, s)
    if (s /= MM_OK) then
      call check(s, stat, errmsg)
      return
    end if
    if (info%scalar_kind /= kind) then
      call report(MM_E_INVALID_ARG, "mm_pointer: the array's dtype is " // info%dtype // &
                  ", the pointer's type is " // kind_name(kind), stat, errmsg)
      return
    end if
    if (info%ndim /= rank) then
      call report(MM_E_INVALID_ARG, "mm_pointer: the array and the pointer differ in rank", &
                  stat, errmsg)
      return
    end if
    ! numpy allows an array at any byte offset (<f8 at byte 3): a pointer there would be
    ! misaligned. MM_ALIGNED is numpy's rule (address and strides; empty arrays pass).
    if (iand(info%flags, MM_ALIGNED) == 0) then
      call report(MM_E_INVALID_ARG, "mm_pointer: the array's data is not aligned for " // &
                  info%dtype // " (an odd offset); copy it with mm_get_f / mm_put_f", &
                  stat, errmsg)
      return
    end if
    if (iand(info%flags, MM_F_CONTIGUOUS) /= 0) then
      shp = info%shape
    else if (allow_c .and. iand(info%flags, MM_C_CONTIGUOUS) /= 0) then
      shp = info%shape(rank:1:-1)
    else
      call report(MM_E_INVALID_ARG, "mm_pointer: the array is not Fortran-contiguous " // &
                  "(open it with order='F', or pass transposed=.true. for a C-order array)", &
                  stat, errmsg)
      return
    end if
    data = info%data
    call report(MM_OK, "", stat, errmsg)
  end subroutine

  !> Checks the element type (an MM_SCALAR_* value), layout and size for mm_get_f /
  !> mm_put_f on one snapshot of the handle; nbytes is the copy's size.
  logical function copyable(arr, kind, n, what, nbytes, stat, errmsg)
    type(mm_array_f), intent(in) :: arr
    integer(c_int32_t), intent(in) :: kind
    character(len=*), intent(in) :: what
    integer(c_size_t), intent(in) :: n
    integer(c_size_t), intent(out) :: nbytes
    integer, intent(out), optional :: stat
    character(len=*), intent(out), optional :: errmsg
    type(mm_info_f) :: info
    integer(c_int32_t) :: s
    copyable = .false.
    nbytes = 0
    call snapshot(arr%h, info, s)
    if (s /= MM_OK) then
      call check(s, stat, errmsg)
      return
    end if
    if (info%scalar_kind /= kind) then
      call report(MM_E_INVALID_ARG, what // ": the array's dtype is " // info%dtype // &
                  ", the values' type is " // kind_name(kind), stat, errmsg)
      return
    end if
    if (info%size > 0 .and. iand(info%flags, ior(MM_C_CONTIGUOUS, MM_F_CONTIGUOUS)) == 0) then
      call report(MM_E_INVALID_ARG, what // ": the array is not contiguous", stat, errmsg)
      return
    end if
    if (n /= info%size) then
      call report(MM_E_INVALID_ARG, what // ": " // itoa(int(n)) // " values for an array of " // &
                  itoa(int(info%size)) // " elements", stat, errmsg)
      return
    end if
    nbytes = info%nbytes
    copyable = .true.
  end function

  include "mm_handle.inc"

  include "mm_pointer_generated.inc"

end module mmarray
