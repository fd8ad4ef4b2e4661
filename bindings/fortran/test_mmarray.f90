!> Test of the Fortran module against files numpy wrote (see check_numpy.py):
!>   a.f8: float64 (3,4), order F, offset 16; a[i,j] = (4*i + j) / 2 (numpy, 0-based)
!>   b.i4: int32 (2,3,4), order C;            b[i,j,k] = 100*i + 10*j + k
!> It checks the values, doubles a in place, sets b[1,2,3] = -1 through the transposed
!> pointer, and writes c.f8 = a + 1 (order F); numpy checks the files afterwards.
program test_mmarray
  use mmarray
  implicit none
  character(len=4096) :: dir
  type(mm_array_f) :: a, b, c, col, missing
  real(c_double), pointer :: x(:,:), y(:,:), z(:,:)
  integer(c_int32_t), pointer :: p(:,:,:), wrong(:,:)
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
  ! A column slice a[:, 2:3] stays Fortran-contiguous and shares the mapping.
  col = mm_slice_f(a, 2, 2_c_int64_t, 3_c_int64_t, 1_c_int64_t)
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

  ! Errors carry the status and the library's message.
  missing = mm_open_f(trim(dir) // "/missing.f8", "<f8", "r", stat=stat, errmsg=msg)
  call expect(stat == MM_E_NOT_FOUND .and. missing%h == 0, "missing file")
  call expect(index(msg, "missing.f8") > 0, "message names the path: " // trim(msg))
  missing = mm_open_f(trim(dir) // "/a.f8", "<q3", "r", stat=stat)
  call expect(stat == MM_E_INVALID_ARG, "bad dtype")

  if (failures /= 0) error stop "test_mmarray: checks failed"
  print "(a)", "test_mmarray (Fortran): all checks passed"

contains

  subroutine expect(ok, what)
    logical, intent(in) :: ok
    character(len=*), intent(in) :: what
    if (.not. ok) then
      print "(2a)", "CHECK failed: ", what
      failures = failures + 1
    end if
  end subroutine

end program test_mmarray
