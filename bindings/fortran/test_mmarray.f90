!> Test of the Fortran module against files numpy wrote (see check_numpy.py):
!>   a.f8: float64 (3,4), order F, offset 16; a[i,j] = (4*i + j) / 2 (numpy, 0-based)
!>   b.i4: int32 (2,3,4), order C;            b[i,j,k] = 100*i + 10*j + k
!>   d.npy: np.save of np.asfortranarray(d), float64 (2,3,4); d[i,j,k] = i + 10*j + 100*k + 0.5
!> It checks the values, doubles a in place, sets b[1,2,3] = -1 through the transposed
!> pointer, writes c.f8 = a + 1 (order F), doubles d in place through mm_open_npy_f and
!> saves d[:, ::-1, :] to f.npy (mm_save_npy_f), creates e.npy (int32 (2,3), order F)
!> with mm_create_npy_f; numpy checks the files
!> afterwards.
program test_mmarray
  use mmarray
  use, intrinsic :: iso_c_binding, only: c_f_pointer, c_associated
  implicit none
  character(len=4096) :: dir
  type(mm_array_f) :: a, b, c, col, missing, d, e
  real(c_double), pointer :: x(:,:), y(:,:), z(:,:), w(:,:,:)
  integer(c_int32_t), pointer :: p(:,:,:), wrong(:,:), q(:,:)
  integer :: i, j, k, stat, failures
  character(len=512) :: msg

  failures = 0
  call get_command_argument(1, dir)
  if (len_trim(dir) == 0) error stop "usage: test_mmarray DIR"

  ! a: F order, the Fortran shape is numpy's shape.
  a = mm_open_f(trim(dir) // "/a.f8", "<f8", "r+", shape=[3_c_size_t, 4_c_size_t], &
                order="F", offset=16_c_int64_t)
  call expect(mm_dtype_f(a) == "<f8" .and. mm_mode_f(a) == "r+", "dtype and mode")
  call expect(all(mm_shape_f(a) == [3, 4]), "shape of a")
  call mm_pointer(a, x)
  call expect(all(shape(x) == [3, 4]), "pointer shape of a")
  do j = 1, 4
    do i = 1, 3
      call expect(x(i, j) == (4 * (i - 1) + (j - 1)) / 2.0d0, "value of a")
    end do
  end do
  ! The column section x(:, 3:3) (numpy's a[:, 2:3]) stays Fortran-contiguous and shares
  ! the mapping.
  col = mm_slice_f(a, 2, 3, 3)
  call mm_pointer(col, y)
  call expect(all(shape(y) == [3, 1]) .and. y(2, 1) == x(2, 3), "column slice")
  x = 2 * x
  call expect(y(2, 1) == x(2, 3), "slice sees writes through a")
  call mm_close_f(col)
  ! The wrong pointer type, a C-order array without transposed: stat and message.
  call mm_pointer(a, wrong, stat=stat, errmsg=msg)
  call expect(stat == MM_E_INVALID_ARG .and. .not. associated(wrong), "int32 pointer on <f8")
  call expect(index(msg, "<f8") > 0, "message names the dtype: " // trim(msg))
  call mm_flush_f(a)

  ! b: C order, seen transposed: p(k,j,i) = b[i-1,j-1,k-1].
  b = mm_open_f(trim(dir) // "/b.i4", "<i4", "r+", shape=[2_c_size_t, 3_c_size_t, 4_c_size_t])
  call mm_pointer(b, p, stat=stat)
  call expect(stat == MM_E_INVALID_ARG .and. .not. associated(p), "C order needs transposed")
  call mm_pointer(b, p, transposed=.true.)
  call expect(all(shape(p) == [4, 3, 2]), "transposed shape")
  do i = 1, 2
    do j = 1, 3
      do k = 1, 4
        call expect(p(k, j, i) == 100 * (i - 1) + 10 * (j - 1) + (k - 1), "value of b")
      end do
    end do
  end do
  p(4, 3, 2) = -1
  call mm_close_f(b)

  ! c: a new file (w+), F order, holding the doubled a plus one.
  c = mm_open_f(trim(dir) // "/c.f8", "float64", "w+", shape=[3_c_size_t, 4_c_size_t], order="F")
  call mm_pointer(c, z)
  z = x + 1
  call mm_close_f(c)
  call mm_close_f(c, stat=stat)  ! closing an empty array is fine
  call expect(stat == MM_OK, "second close")
  call mm_close_f(a)

  ! d.npy: numpy saved an F-order array; dtype, shape and order come from the header.
  d = mm_open_npy_f(trim(dir) // "/d.npy", "r+")
  call expect(mm_dtype_f(d) == "<f8" .and. mm_mode_f(d) == "r+", "dtype and mode of d.npy")
  call expect(all(mm_shape_f(d) == [2, 3, 4]), "shape of d.npy")
  call mm_pointer(d, w)  ! no transposed=: the .npy is F-contiguous
  call expect(all(shape(w) == [2, 3, 4]), "pointer shape of d.npy")
  do k = 1, 4
    do j = 1, 3
      do i = 1, 2
        call expect(w(i, j, k) == (i - 1) + 10 * (j - 1) + 100 * (k - 1) + 0.5d0, "value of d.npy")
      end do
    end do
  end do
  w = 2 * w
  call mm_flush_f(d)
  ! np.save of the strided view d[:, ::-1, :] (numpy's axis 1 is the second).
  col = mm_slice_f(d, 2, step=-1)
  call mm_save_npy_f(col, trim(dir) // "/f.npy")
  call mm_close_f(col)
  call mm_close_f(d)
  call mm_save_npy_f(d, trim(dir) // "/closed.npy", stat=stat)
  call expect(stat == MM_E_BAD_HANDLE, "mm_save_npy_f of a closed array")

  ! e.npy: a new .npy (open_memmap w+), F order, filled through the pointer.
  e = mm_create_npy_f(trim(dir) // "/e.npy", "<i4", [2_c_size_t, 3_c_size_t], order="F")
  call expect(mm_mode_f(e) == "r+", "mode of a created .npy")
  call mm_pointer(e, q)
  do j = 1, 3
    do i = 1, 2
      q(i, j) = 3 * (3 * (i - 1) + (j - 1)) - 4
    end do
  end do
  call mm_flush_f(e)
  call mm_close_f(e)

  call test_grow(dir)

  ! .npy errors: a raw file is not a .npy; w+ is mm_create_npy_f's job.
  missing = mm_open_npy_f(trim(dir) // "/a.f8", "r", stat=stat, errmsg=msg)
  call expect(stat == MM_E_FORMAT .and. missing%h == 0, "raw file as .npy: " // trim(msg))
  missing = mm_open_npy_f(trim(dir) // "/d.npy", "w+", stat=stat)
  call expect(stat == MM_E_INVALID_ARG, "mm_open_npy_f with w+")
  missing = mm_open_npy_f(trim(dir) // "/missing.npy", stat=stat, errmsg=msg)
  call expect(stat == MM_E_NOT_FOUND .and. index(msg, "missing.npy") > 0, "missing .npy: " // trim(msg))
  missing = mm_create_npy_f(trim(dir) // "/bad.npy", "<q3", [2_c_size_t], stat=stat)
  call expect(stat == MM_E_INVALID_ARG, "mm_create_npy_f with a bad dtype")

  ! Errors carry the status and the library's message.
  missing = mm_open_f(trim(dir) // "/missing.f8", "<f8", "r", stat=stat, errmsg=msg)
  call expect(stat == MM_E_NOT_FOUND .and. missing%h == 0, "missing file")
  call expect(index(msg, "missing.f8") > 0, "message names the path: " // trim(msg))
  missing = mm_open_f(trim(dir) // "/a.f8", "<q3", "r", stat=stat)
  call expect(stat == MM_E_INVALID_ARG, "bad dtype")

  call test_npz(trim(dir))
  call test_view_strides_mismatch()
  call test_zero_d()
  call test_misaligned()
  call test_sections()
  call test_types_and_ranks()

  if (failures /= 0) error stop "test_mmarray: checks failed"
  print "(a)", "test_mmarray (Fortran): all checks passed"

contains

  !> .npz: numpy wrote s.npz (np.savez) and c.npz (np.savez_compressed) holding d (F
  !> order, <f8 (2,3,4)) and e (C order, <i4 (2,3)); names, values through mm_get_f (a
  !> stored member's data is not aligned), errors; then the members of s.npz are saved
  !> as out.npz (numpy checks it equals np.savez's bytes) and outc.npz (compressed).
  subroutine test_npz(dir)
    character(len=*), intent(in) :: dir
    character(len=16), allocatable :: names(:)
    type(mm_array_f) :: dd, ee, bad
    real(c_double) :: dv(24)
    integer(c_int32_t) :: ev(6)
    integer :: st, n, ii, jj, kk
    character(len=512) :: m
    character(len=3) :: arch(2) = ["s.n", "c.n"]
    do n = 1, 2
      names = mm_npz_names_f(dir // "/" // arch(n) // "pz")
      call expect(size(names) == 2, "two members")
      call expect(names(1) == "d" .and. names(2) == "e", "member names")
      dd = mm_open_npz_f(dir // "/" // arch(n) // "pz", "d")
      call expect(mm_dtype_f(dd) == "<f8" .and. mm_mode_f(dd) == "r", "dtype and mode of d")
      call expect(all(mm_shape_f(dd) == [2, 3, 4]), "shape of d")
      call mm_get_f(dd, dv)  ! memory order: F
      do kk = 1, 4
        do jj = 1, 3
          do ii = 1, 2
            call expect(dv(ii + 2 * (jj - 1) + 6 * (kk - 1)) == (ii - 1) + 10 * (jj - 1) &
                        + 100 * (kk - 1) + 0.5d0, "value of member d")
          end do
        end do
      end do
      ee = mm_open_npz_f(dir // "/" // arch(n) // "pz", "e.npy", "c")
      call mm_get_f(ee, ev)  ! memory order: C
      call expect(all(ev == [-4, -1, 2, 5, 8, 11]), "values of member e")
      if (n == 1) then
        call mm_save_npz_f(dir // "/out.npz", ["d", "e"], [dd, ee])
      else
        call mm_save_npz_f(dir // "/outc.npz", ["d", "e"], [dd, ee], compress=.true.)
      end if
      call mm_close_f(dd)
      call mm_close_f(ee)
    end do
    bad = mm_open_npz_f(dir // "/s.npz", "d", "r+", stat=st, errmsg=m)
    call expect(st == MM_E_UNSUPPORTED .and. bad%h == 0, "r+ member: " // trim(m))
    bad = mm_open_npz_f(dir // "/s.npz", "zz", stat=st, errmsg=m)
    call expect(st == MM_E_NOT_FOUND .and. index(m, "not a member") > 0, "missing member: " // trim(m))
    names = mm_npz_names_f(dir // "/d.npy", stat=st, errmsg=m)
    call expect(st == MM_E_FORMAT .and. size(names) == 0, "a .npy is not an archive: " // trim(m))
    call mm_save_npz_f(dir // "/x.npz", ["a", "b"], [dd], stat=st, errmsg=m)
    call expect(st == MM_E_INVALID_ARG .and. trim(m) == "mm_save_npz_f: 2 names for 1 arrays", &
                "length mismatch: " // trim(m))
  end subroutine

  !> h.npy: a (3, 0) F-order <f8 file grown by appending Fortran array sections x(:, 1:2)
  !> and x(:, 3:5) of x(i, k) = i + 10 k; numpy checks it equals np.save of x.
  subroutine test_grow(dir)
    character(len=*), intent(in) :: dir
    type(mm_array_f) :: h, r, g
    real(c_double) :: x(3, 5)
    integer :: i, k, stat
    do k = 1, 5
      do i = 1, 3
        x(i, k) = i + 10 * k
      end do
    end do
    h = mm_create_npy_f(trim(dir) // "/h.npy", "<f8", [3_c_size_t, 0_c_size_t], order="F")
    call mm_npy_append_f(h, x(:, 1:2), 2_c_size_t)
    call mm_npy_append_f(h, x(:, 3:5), 3_c_size_t)
    call expect(all(mm_shape_f(h) == [3, 0]), "the handle keeps its shape")
    call expect(mm_npy_recover_f(trim(dir) // "/h.npy") == 5, "recover counts 5 columns")
    r = mm_open_npy_f(trim(dir) // "/h.npy", "r")
    call expect(all(mm_shape_f(r) == [3, 5]), "shape after appends")
    call mm_npy_append_f(r, x(:, 1:1), 1_c_size_t, stat=stat)
    call expect(stat == MM_E_READ_ONLY, "append in mode r")
    g = mm_npy_grow_f(r, 9_c_size_t, stat=stat)
    call expect(stat == MM_E_READ_ONLY .and. g%h == 0, "grow in mode r")
    call mm_close_f(r)
    call mm_close_f(h)
  end subroutine

  !> Issue 10 defect 15: an <f8 array at byte offset 3 (numpy allows it). mm_pointer
  !> refuses the misaligned pointer; mm_get_f / mm_put_f copy at any alignment. numpy
  !> checks g.f8 afterwards (check_numpy.py).
  subroutine test_misaligned()
    type(mm_array_f) :: g, empty, r
    real(c_double), pointer :: v(:)
    real(c_double) :: got(4), short(3)
    integer :: st
    character(len=512) :: m
    g = mm_open_f(trim(dir) // "/g.f8", "<f8", "w+", shape=[4_c_size_t], offset=3_c_int64_t)
    call expect(iand(mm_flags(g%h), MM_ALIGNED) == 0, "offset 3: MM_ALIGNED off")
    call mm_pointer(g, v, stat=st, errmsg=m)
    call expect(st == MM_E_INVALID_ARG .and. .not. associated(v), "mm_pointer at offset 3")
    call expect(index(m, "not aligned for <f8") > 0, "message: " // trim(m))
    call mm_put_f(g, [-0.5d0, 0.5d0, 1.5d0, 2.5d0])
    call mm_get_f(g, got)
    call expect(all(got == [-0.5d0, 0.5d0, 1.5d0, 2.5d0]), "mm_get_f after mm_put_f")
    call mm_get_f(g, short, stat=st, errmsg=m)
    call expect(st == MM_E_INVALID_ARG .and. trim(m) == "mm_get_f: 3 values for an array of 4 elements", &
                "size mismatch: " // trim(m))
    call mm_put_f(g, [1_c_int32_t, 2_c_int32_t, 3_c_int32_t, 4_c_int32_t], stat=st)
    call expect(st == MM_E_INVALID_ARG, "mm_put_f of int32 values into <f8")
    ! A zero-size view there: MM_ALIGNED (numpy: empty arrays are); a pointer of size 0.
    empty = mm_view_f(g, [0_c_size_t], byte_offset=8_c_int64_t)
    call mm_pointer(empty, v, stat=st)
    call expect(st == MM_OK .and. size(v) == 0, "zero-size view at the odd address")
    call mm_close_f(empty)
    call mm_flush_f(g)
    call mm_close_f(g)
    r = mm_open_f(trim(dir) // "/g.f8", "<f8", "r", offset=3_c_int64_t)
    got = 0
    call mm_get_f(r, got)
    call expect(all(got == [-0.5d0, 0.5d0, 1.5d0, 2.5d0]), "read back at offset 3")
    call mm_put_f(r, got, stat=st)
    call expect(st == MM_E_READ_ONLY, "mm_put_f into a read-only array")
    call mm_close_f(r)
  end subroutine

  !> Issue 10 defect 14: shape=[integer(c_size_t) ::] reaches an optional argument as
  !> absent with gfortran (a 1-D shape is inferred); ndim=0 asks for a 0-d array.
  subroutine test_zero_d()
    type(mm_array_f) :: z, one
    real(c_double), pointer :: v(:)
    integer :: st, u
    integer(c_int64_t) :: bytes
    character(len=512) :: m
    character(len=:), allocatable :: path
    path = trim(dir) // "/zero_d.f8"
    z = mm_open_f(path, "<f8", "w+", ndim=0, stat=st)
    call expect(st == MM_OK, "w+ with ndim=0")
    call expect(mm_ndim(z%h) == 0 .and. mm_size(z%h) == 1 .and. size(mm_shape_f(z)) == 0, &
                "w+ ndim=0 is 0-d")
    one = mm_view_f(z, [1_c_size_t])  ! a 1-element 1-D view to write through
    call mm_pointer(one, v)
    v(1) = 2.25d0
    call mm_close_f(one)
    call mm_close_f(z)
    inquire(file=path, size=bytes)
    call expect(bytes == 8, "a 0-d <f8 file has 8 bytes")
    ! Grow the file to 3 doubles; r+ with ndim=0 (and with an empty constructor too)
    ! still sees one element, the first.
    open(newunit=u, file=path, access="stream", form="unformatted", position="append")
    write(u) 7.5d0, 8.5d0
    close(u)
    inquire(file=path, size=bytes)
    call expect(bytes == 24, "grown to 24 bytes")
    z = mm_open_f(path, "<f8", "r+", ndim=0, shape=[integer(c_size_t) ::])
    call expect(mm_ndim(z%h) == 0 .and. mm_size(z%h) == 1, "r+ ndim=0 is 0-d")
    one = mm_view_f(z, [1_c_size_t])
    call mm_pointer(one, v)
    call expect(v(1) == 2.25d0, "r+ ndim=0 reads the value")
    call mm_close_f(one)
    call mm_close_f(z)
    ! The pitfall itself, shown (a compiler may change it): without ndim.
    z = mm_open_f(path, "<f8", "r", shape=[integer(c_size_t) ::])
    print "(a,i0,a)", "note: shape=[] without ndim opened ", mm_ndim(z%h), &
      " dimension(s) (1 with gfortran 12: the constructor reaches mm_open_f as absent)"
    call mm_close_f(z)
    ! ndim and shape disagree.
    z = mm_open_f(path, "<f8", "r", shape=[1_c_size_t], ndim=0, stat=st, errmsg=m)
    call expect(st == MM_E_INVALID_ARG .and. z%h == 0, "ndim=0 with a 1-entry shape")
    call expect(trim(m) == "mm_open_f: ndim=0 but shape has 1 entries", "message: " // trim(m))
    z = mm_open_f(path, "<f8", "r", ndim=2, stat=st)
    call expect(st == MM_E_INVALID_ARG .and. z%h == 0, "ndim=2 without a shape")
  end subroutine

  !> Issue 10 defect 13: mm_view_f with fewer (or more) strides than dimensions read past
  !> the strides array and returned stat 0; now MM_E_INVALID_ARG with a message, no view.
  subroutine test_view_strides_mismatch()
    type(mm_array_f) :: base, v
    integer :: st, live
    character(len=512) :: m
    base = mm_open_f(trim(dir) // "/strides.u1", "u1", "w+", shape=[24_c_size_t])
    live = int(mm_handle_count())
    v = mm_view_f(base, [2_c_size_t, 3_c_size_t], strides=[8_c_int64_t], dtype="<i4", &
                  stat=st, errmsg=m)
    call expect(st == MM_E_INVALID_ARG .and. v%h == 0, "1 stride for 2 dimensions")
    call expect(trim(m) == "mm_view_f: 1 strides for 2 dimensions", "message: " // trim(m))
    v = mm_view_f(base, [2_c_size_t], strides=[4_c_int64_t, 4_c_int64_t], dtype="<i4", stat=st)
    call expect(st == MM_E_INVALID_ARG .and. v%h == 0, "2 strides for 1 dimension")
    call expect(int(mm_handle_count()) == live, "no view was opened")
    ! The matching call still works: a (2, 3) <i4 view with strides (12, 4).
    v = mm_view_f(base, [2_c_size_t, 3_c_size_t], strides=[12_c_int64_t, 4_c_int64_t], &
                  dtype="<i4", stat=st)
    call expect(st == MM_OK .and. all(mm_shape_f(v) == [2, 3]), "matching strides")
    call mm_close_f(v)
    call mm_close_f(base)
  end subroutine

  !> mm_slice_f counts as a Fortran section: 1-based, inclusive, any integer kind.
  subroutine test_sections()
    type(mm_array_f) :: v, s
    real(c_double), pointer :: x(:)
    real(c_double), pointer :: first
    integer :: st
    character(len=512) :: m
    v = mm_create_npy_f(trim(dir) // "/sections.npy", "<f8", [10])  ! a default-kind shape
    call mm_pointer(v, x)
    x = [(real(st, c_double), st = 1, 10)]  ! x(i) = i
    s = mm_slice_f(v, 1, 2, 8, 3)  ! x(2:8:3): 2, 5, 8
    call expect(all(mm_shape_f(s) == [3]) .and. c_associated(mm_strides(s%h)), "x(2:8:3) shape")
    call c_f_pointer(mm_data(s%h), first)
    call expect(first == 2, "x(2:8:3) starts at x(2)")
    call expect(stride0(s) == 24, "x(2:8:3) stride 24 bytes")
    call mm_close_f(s)
    s = mm_slice_f(v, 1, 2_c_int64_t, 8_c_int16_t, 3_c_int8_t)  ! any integer kinds, mixed
    call expect(all(mm_shape_f(s) == [3]), "mixed kinds")
    call mm_close_f(s)
    s = mm_slice_f(v, 1, step=-1)  ! x(10:1:-1), through index 1
    call c_f_pointer(mm_data(s%h), first)
    call expect(all(mm_shape_f(s) == [10]) .and. first == 10 .and. stride0(s) == -8, "x(::-1)")
    call mm_close_f(s)
    s = mm_slice_f(v, 1, 3, 1, -1)  ! x(3:1:-1): 3, 2, 1
    call c_f_pointer(mm_data(s%h), first)
    call expect(all(mm_shape_f(s) == [3]) .and. first == 3, "x(3:1:-1)")
    call mm_close_f(s)
    s = mm_slice_f(v, 1, 4)  ! x(4:)
    call c_f_pointer(mm_data(s%h), first)
    call expect(all(mm_shape_f(s) == [7]) .and. first == 4, "x(4:)")
    call mm_close_f(s)
    s = mm_slice_f(v, 1, stop=4)  ! x(:4)
    call expect(all(mm_shape_f(s) == [4]), "x(:4)")
    call mm_close_f(s)
    s = mm_slice_f(v, 1, 5, 4)  ! empty, as x(5:4)
    call expect(all(mm_shape_f(s) == [0]), "x(5:4) is empty")
    call mm_close_f(s)
    s = mm_slice_f(v, 1, 0, 3, stat=st, errmsg=m)
    call expect(st == MM_E_OUT_OF_BOUNDS .and. s%h == 0, "x(0:3) is out of bounds")
    call expect(trim(m) == "mm_slice_f: the section 0:3:1 of axis 1 reaches index 0, outside 1..10", &
                "message: " // trim(m))
    s = mm_slice_f(v, 1, 2, 11, 3, stat=st)  ! 2, 5, 8, 11
    call expect(st == MM_E_OUT_OF_BOUNDS, "x(2:11:3) reaches 11")
    s = mm_slice_f(v, 1, 2, 12, 3, stat=st)  ! 2, 5, 8, 11 too
    call expect(st == MM_E_OUT_OF_BOUNDS, "x(2:12:3) reaches 11")
    s = mm_slice_f(v, 1, 2, 10, 3, stat=st)  ! 2, 5, 8
    call expect(st == MM_OK .and. all(mm_shape_f(s) == [3]), "x(2:10:3)")
    call mm_close_f(s)
    ! mm_flush_range_f: the whole view by default, or bytes of it; beyond it is refused.
    s = mm_slice_f(v, 1, 3, 6)  ! x(3:6): 32 bytes
    call mm_flush_range_f(s, stat=st)
    call expect(st == MM_OK .and. mm_nbytes(s%h) == 32, "mm_flush_range_f of x(3:6)")
    call mm_flush_range_f(s, 8, 24, stat=st)
    call expect(st == MM_OK, "mm_flush_range_f of bytes 8..32 of x(3:6)")
    call mm_flush_range_f(s, 8, 25, stat=st)
    call expect(st == MM_E_OUT_OF_BOUNDS, "mm_flush_range_f past the view")
    call mm_close_f(s)
    s = mm_slice_f(v, 2, stat=st)
    call expect(st == MM_E_INVALID_ARG, "axis 2 of a 1-D array")
    s = mm_slice_f(v, 0, stat=st)
    call expect(st == MM_E_INVALID_ARG, "axis 0")
    s = mm_slice_f(v, 1, step=0, stat=st)
    call expect(st == MM_E_INVALID_ARG, "step 0")
    s = mm_slice_f(v, 1, 1.0, stat=st, errmsg=m)
    call expect(st == MM_E_INVALID_ARG .and. trim(m) == "mm_slice_f: start must be an integer", &
                "a real bound: " // trim(m))
    s = mm_create_npy_f(trim(dir) // "/negative.npy", "<f8", [2, -1], stat=st, errmsg=m)
    call expect(st == MM_E_INVALID_ARG .and. trim(m) == &
                "mm_create_npy_f: a negative dimension in the shape (-1)", "negative: " // trim(m))
    call mm_close_f(v)
  end subroutine

  !> The first stride of a view, in bytes.
  integer function stride0(a)
    type(mm_array_f), intent(in) :: a
    integer(c_int64_t), pointer :: st(:)
    call c_f_pointer(mm_strides(a%h), st, [1])
    stride0 = int(st(1))
  end function

  !> Pointers of the types numpy and Fortran share, up to rank 7; numpy checks the files.
  subroutine test_types_and_ranks()
    type(mm_array_f) :: t
    complex(c_double_complex), pointer :: z7(:,:,:,:,:,:,:)
    complex(c_float_complex), pointer :: z3(:,:,:)
    integer(c_int8_t), pointer :: b1(:)
    integer(c_int16_t), pointer :: h4(:,:,:,:)
    logical(c_bool), pointer :: l2(:,:)
    real(c_float), pointer :: f5(:,:,:,:,:)
    integer(c_int64_t), pointer :: i6(:,:,:,:,:,:)
    integer(c_int64_t) :: n, values(16)
    integer :: st
    ! t7.npy: <c16, F order, numpy shape (2, 1, 2, 1, 2, 1, 2); element k (memory order,
    ! from 0) is k - k*1j.
    t = mm_create_npy_f(trim(dir) // "/t7.npy", "<c16", [2, 1, 2, 1, 2, 1, 2], order="F")
    call mm_pointer(t, z7)
    call expect(all(shape(z7) == [2, 1, 2, 1, 2, 1, 2]), "rank-7 pointer shape")
    n = 0
    block
      integer :: i1, i3, i5, i7
      do i7 = 1, 2
        do i5 = 1, 2
          do i3 = 1, 2
            do i1 = 1, 2
              z7(i1, 1, i3, 1, i5, 1, i7) = cmplx(n, -n, c_double_complex)
              n = n + 1
            end do
          end do
        end do
      end do
    end block
    call mm_close_f(t)
    ! t3.npy: <c8, C order seen transposed: numpy (2, 3, 4) as z3(4, 3, 2).
    t = mm_create_npy_f(trim(dir) // "/t3.npy", "<c8", [2, 3, 4])
    call mm_pointer(t, z3, transposed=.true.)
    call expect(all(shape(z3) == [4, 3, 2]), "transposed <c8 shape")
    z3 = (1.5, -2.0)
    call mm_close_f(t)
    ! t1.npy: |i1 (numpy's int8 has no byte order): -2 .. 2.
    t = mm_create_npy_f(trim(dir) // "/t1.npy", "|i1", [5])
    call mm_pointer(t, b1)
    b1 = [-2_c_int8_t, -1_c_int8_t, 0_c_int8_t, 1_c_int8_t, 2_c_int8_t]
    call mm_close_f(t)
    ! t4.npy: <i2, F order (1, 2, 1, 2), all -300.
    t = mm_create_npy_f(trim(dir) // "/t4.npy", "<i2", [1, 2, 1, 2], order="F")
    call mm_pointer(t, h4)
    h4 = -300_c_int16_t
    call mm_close_f(t)
    ! b2.npy: |b1, F order (2, 2): the identity.
    t = mm_create_npy_f(trim(dir) // "/b2.npy", "|b1", [2, 2], order="F")
    call mm_pointer(t, l2)
    l2 = .false.
    l2(1, 1) = .true.
    l2(2, 2) = .true.
    call mm_close_f(t)
    ! t5.npy: <f4 rank 5 and t6.npy: <i8 rank 6, F order, element k = k (memory order).
    t = mm_create_npy_f(trim(dir) // "/t5.npy", "<f4", [2, 1, 1, 2, 1], order="F")
    call mm_pointer(t, f5)
    f5 = reshape([0.0, 1.0, 2.0, 3.0], [2, 1, 1, 2, 1])
    call mm_close_f(t)
    t = mm_create_npy_f(trim(dir) // "/t6.npy", "<i8", [2, 2, 1, 2, 1, 2], order="F")
    call mm_pointer(t, i6)
    values = [(n, n = 0, 15)]
    i6 = reshape(values, [2, 2, 1, 2, 1, 2])
    ! The wrong type: a <i8 array is no int16 pointer.
    call mm_pointer(t, h4, stat=st)
    call expect(st == MM_E_INVALID_ARG .and. .not. associated(h4), "int16 pointer on <i8")
    call mm_close_f(t)
  end subroutine

  subroutine expect(ok, what)
    logical, intent(in) :: ok
    character(len=*), intent(in) :: what
    if (.not. ok) then
      print "(2a)", "CHECK failed: ", what
      failures = failures + 1
    end if
  end subroutine

end program test_mmarray
