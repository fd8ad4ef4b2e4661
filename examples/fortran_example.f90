! Fortran: a numpy-compatible F-order file seen as a real(8) pointer array.
program fortran_example
  use mmarray
  implicit none
  type(mm_array_f) :: a
  real(c_double), pointer :: x(:,:)
  integer :: stat
  character(len=512) :: msg

  a = mm_open_f("example_f.f8", "<f8", "w+", shape=[2_c_size_t, 3_c_size_t], order="F")
  call mm_pointer(a, x)          ! x(2,3) aliases the file, numpy's shape (2, 3)
  x = reshape([1, 2, 3, 4, 5, 6], [2, 3])
  print "(a,f4.1)", "x(2,3) = ", x(2, 3)
  call mm_close_f(a)

  a = mm_open_f("missing.f8", "<f8", "r", stat=stat, errmsg=msg)
  if (stat == MM_E_NOT_FOUND) print "(2a)", "as expected: ", trim(msg)
  open(unit=10, file="example_f.f8")
  close(10, status="delete")
end program fortran_example
