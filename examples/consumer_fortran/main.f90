! A consumer of the installed Fortran module: creates a .npy file, fills it through a
! pointer, reads a section back.
program consumer_fortran
  use mmarray
  implicit none
  type(mm_array_f) :: a, col
  real(c_double), pointer :: x(:,:), c(:,:)
  integer :: i, j
  a = mm_create_npy_f("consumer_f.npy", "<f8", [3, 4], order="F")
  call mm_pointer(a, x)
  do j = 1, 4
    do i = 1, 3
      x(i, j) = 10 * i + j
    end do
  end do
  col = mm_slice_f(a, 2, 2, 3)  ! x(:, 2:3)
  call mm_pointer(col, c)
  if (any(shape(c) /= [3, 2]) .or. c(3, 2) /= 33) error stop "consumer_fortran: wrong section"
  call mm_close_f(col)
  call mm_close_f(a)
  print "(a)", "consumer_fortran: x(:, 2:3) of consumer_f.npy ok"
end program
