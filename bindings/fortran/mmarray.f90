!> Fortran front end to the mmarray C library (numpy.memmap semantics).
!> (Over 600 lines: a module is one file its users compile; the generated specifics of
!> mm_pointer / mm_get_f / mm_put_f are in the .inc files, see gen_pointers.py.)
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
!>   lo:hi:step, as x(lo:hi:step)), and the elements of mm_pointer's arrays. Byte offsets
!>   and strides are bytes from the array's first byte. The raw bind(C) interfaces (mm_slice,
!>   mm_view, ...) keep the C API's numbers (0-based, Python's half-open slices).
!> - Shapes, slice bounds, offsets, strides and row counts accept integers of any kind
!>   (default integer, c_size_t, c_int64_t, ...); a negative shape is MM_E_INVALID_ARG.
!> - The raw C API is available through bind(C) interfaces with the C names (mm_open,
!>   mm_close, mm_data, ...); mm_array handles are integer(c_int64_t) holding the
!>   uint64 value.
!> - The friendly wrappers take optional `stat` and `errmsg` (a character variable) arguments, like ALLOCATE:
!>   present, they receive the status code (MM_OK = 0) and the library's message; absent,
!>   a failure stops the program with that message (error stop).
!> - mm_pointer(arr, p) points a Fortran pointer array at the mapped data, with the array's
!>   shape. The array must be F-contiguous (numpy order='F', or any 1-D array) and of the
!>   pointer's type in native byte order; a C-order array is accepted with
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

  !> One open view; h is the C handle (0: none).
  type :: mm_array_f
    integer(c_int64_t) :: h = 0
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

  !> The message of the last failed call on this thread.
  function mm_last_error_f() result(msg)
    character(len=:), allocatable :: msg
    msg = from_c(mm_last_error_message())
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
  !>
  !> A 0-d array (numpy's shape ()) needs ndim=0: gfortran passes an empty array
  !> constructor (shape=[integer(c_size_t) ::]) to an optional argument as absent, which
  !> would infer a 1-D shape. ndim, when present, is the number of dimensions: 0 with
  !> shape absent or empty, else size(shape) (a mismatch is MM_E_INVALID_ARG).
  function mm_open_f(path, dtype, mode, shape, order, offset, stat, errmsg, ndim) result(arr)
    character(len=*), intent(in) :: path
    character(len=*), intent(in), optional :: dtype, mode, order
    class(*), intent(in), optional :: shape(:), offset
    integer, intent(out), optional :: stat
    character(len=*), intent(out), optional :: errmsg
    integer, intent(in), optional :: ndim
    type(mm_array_f) :: arr
    character(len=:), allocatable :: dt, md
    character(kind=c_char) :: ord
    integer(c_size_t), allocatable, target :: shp(:)
    type(c_ptr) :: pshape
    integer(c_size_t) :: n
    integer(c_int64_t) :: off
    dt = "u1"
    md = "r+"
    ord = "C"
    off = 0
    if (present(dtype)) dt = dtype
    if (present(mode)) md = mode
    if (present(order)) ord = order(1:1)
    if (present(offset)) then
      if (.not. to_i64(offset, off, "mm_open_f: offset", stat, errmsg)) return
    end if
    pshape = c_null_ptr
    n = 0
    if (present(shape)) then
      allocate(shp(max(size(shape), 1)))  ! a 0-d array still needs a non-NULL pointer
      if (.not. to_sizes(shape, shp, "mm_open_f", stat, errmsg)) return
      pshape = c_loc(shp)
      n = size(shape, kind=c_size_t)
    end if
    if (present(ndim)) then
      if (ndim /= n) then
        call report(MM_E_INVALID_ARG, "mm_open_f: ndim=" // itoa(ndim) // " but shape has " // &
                    itoa(int(n)) // " entries", stat, errmsg)
        return
      end if
      if (.not. present(shape)) then  ! ndim=0: a 0-d array, through a non-NULL pointer
        allocate(shp(1))
        pshape = c_loc(shp)
      end if
    end if
    call check(mm_open(path // c_null_char, dt // c_null_char, md // c_null_char, off, &
                       pshape, n, ord, arr%h), stat, errmsg)
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
    integer(c_size_t), pointer :: shp(:)
    st = 1
    if (present(step)) then
      if (.not. to_i64(step, st, "mm_slice_f: step", stat, errmsg)) return
    end if
    if (axis < 1 .or. axis > mm_ndim(base%h) .or. st == 0) then  ! the C call says what is wrong
      call check(mm_slice(base%h, int(max(axis - 1, 0), c_size_t) + &
                          merge(huge(1_c_size_t), 0_c_size_t, axis < 1), 0_c_int64_t, &
                          0_c_int64_t, st, arr%h), stat, errmsg)
      return
    end if
    call c_f_pointer(mm_shape(base%h), shp, [mm_ndim(base%h)])
    n = int(shp(axis), c_int64_t)
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
    integer(c_size_t), pointer :: p(:)
    integer(c_size_t) :: n
    n = mm_ndim(arr%h)
    allocate(shp(n))
    if (n > 0) then
      call c_f_pointer(mm_shape(arr%h), p, [n])
      shp = p
    end if
  end function

  !> numpy's type string, e.g. "<f8".
  function mm_dtype_f(arr) result(s)
    type(mm_array_f), intent(in) :: arr
    character(len=:), allocatable :: s
    s = from_c(mm_dtype(arr%h))
  end function

  !> "r", "r+", "w+" or "c".
  function mm_mode_f(arr) result(s)
    type(mm_array_f), intent(in) :: arr
    character(len=:), allocatable :: s
    s = from_c(mm_mode(arr%h))
  end function

  !> '<' on little-endian machines, '>' on big-endian ones.
  character function native_order()
    if (transfer(1_c_int16_t, 1_c_int8_t) == 1_c_int8_t) then
      native_order = "<"
    else
      native_order = ">"
    end if
  end function

  !> numpy's type string of a native type code: "<f8" ('>' on big-endian machines), and
  !> "|i1" / "|b1" for one-byte types, which have no byte order.
  function typestr(code) result(s)
    character(len=*), intent(in) :: code
    character(len=:), allocatable :: s
    if (code(2:) == "1") then
      s = "|" // code
    else
      s = native_order() // code
    end if
  end function

  !> Checks the dtype, rank and layout for mm_pointer; data is C NULL on failure.
  subroutine locate(arr, code, rank, transposed, shp, data, stat, errmsg)
    type(mm_array_f), intent(in) :: arr
    character(len=*), intent(in) :: code
    integer, intent(in) :: rank
    logical, intent(in), optional :: transposed
    integer(c_size_t), intent(out) :: shp(rank)
    type(c_ptr), intent(out) :: data
    integer, intent(out), optional :: stat
    character(len=*), intent(out), optional :: errmsg
    character(len=:), allocatable :: have
    integer(c_size_t), allocatable :: numpy_shape(:)
    integer(c_int32_t) :: flags
    logical :: allow_c
    data = c_null_ptr
    allow_c = .false.
    if (present(transposed)) allow_c = transposed
    if (.not. c_associated(mm_data(arr%h))) then
      call report(MM_E_BAD_HANDLE, mm_last_error_f(), stat, errmsg)
      return
    end if
    have = mm_dtype_f(arr)
    if (have /= typestr(code)) then
      call report(MM_E_INVALID_ARG, "mm_pointer: the array's dtype is " // have // &
                  ", the pointer's type is " // typestr(code), stat, errmsg)
      return
    end if
    allocate(numpy_shape, source=mm_shape_f(arr))
    if (size(numpy_shape) /= rank) then
      call report(MM_E_INVALID_ARG, "mm_pointer: the array and the pointer differ in rank", &
                  stat, errmsg)
      return
    end if
    flags = mm_flags(arr%h)
    ! numpy allows an array at any byte offset (<f8 at byte 3): a pointer there would be
    ! misaligned. MM_ALIGNED is numpy's rule (address and strides; empty arrays pass).
    if (iand(flags, MM_ALIGNED) == 0) then
      call report(MM_E_INVALID_ARG, "mm_pointer: the array's data is not aligned for " // &
                  typestr(code) // " (an odd offset); copy it with mm_get_f / mm_put_f", &
                  stat, errmsg)
      return
    end if
    if (iand(flags, MM_F_CONTIGUOUS) /= 0) then
      shp = numpy_shape
    else if (allow_c .and. iand(flags, MM_C_CONTIGUOUS) /= 0) then
      shp = numpy_shape(rank:1:-1)
    else
      call report(MM_E_INVALID_ARG, "mm_pointer: the array is not Fortran-contiguous " // &
                  "(open it with order='F', or pass transposed=.true. for a C-order array)", &
                  stat, errmsg)
      return
    end if
    data = mm_data(arr%h)
    call report(MM_OK, "", stat, errmsg)
  end subroutine

  !> Checks the dtype, layout and size for mm_get_f / mm_put_f; nbytes is the copy's size.
  logical function copyable(arr, code, n, what, nbytes, stat, errmsg)
    type(mm_array_f), intent(in) :: arr
    character(len=*), intent(in) :: code, what
    integer(c_size_t), intent(in) :: n
    integer(c_size_t), intent(out) :: nbytes
    integer, intent(out), optional :: stat
    character(len=*), intent(out), optional :: errmsg
    character(len=:), allocatable :: have
    integer(c_size_t) :: count
    copyable = .false.
    nbytes = 0
    if (.not. c_associated(mm_data(arr%h))) then
      call report(MM_E_BAD_HANDLE, mm_last_error_f(), stat, errmsg)
      return
    end if
    have = mm_dtype_f(arr)
    if (have /= typestr(code)) then
      call report(MM_E_INVALID_ARG, what // ": the array's dtype is " // have // &
                  ", the values' type is " // typestr(code), stat, errmsg)
      return
    end if
    count = mm_size(arr%h)
    if (count > 0 .and. iand(mm_flags(arr%h), ior(MM_C_CONTIGUOUS, MM_F_CONTIGUOUS)) == 0) then
      call report(MM_E_INVALID_ARG, what // ": the array is not contiguous", stat, errmsg)
      return
    end if
    if (n /= count) then
      call report(MM_E_INVALID_ARG, what // ": " // itoa(int(n)) // " values for an array of " // &
                  itoa(int(count)) // " elements", stat, errmsg)
      return
    end if
    nbytes = count * mm_itemsize(arr%h)
    copyable = .true.
  end function

  include "mm_pointer_generated.inc"

end module mmarray
