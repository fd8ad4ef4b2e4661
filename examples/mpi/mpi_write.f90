! Every MPI rank writes its own slab of one .npy file through a shared mapping (Fortran).
!
!   mpirun -np 4 ./mpi_write_f out.npy
!
! Rank 0 creates out.npy: a 512 x 1000 float64 array in Fortran order (numpy's shape
! (512, 1000), fortran_order True) with mm_create_npy_f. After a barrier every rank maps
! it (mm_open_npy_f, "r+"), takes its columns with mm_slice_f (axis 2), points a Fortran
! array at them (mm_pointer: no copy), writes x(i, k) = (i - 1) + (k - 1) * 512, flushes
! exactly its bytes (mm_flush_range_f) and closes. After a second barrier rank 0 reopens
! the file read-only and checks every element. Exit status 0 only when all is right.
program mpi_write_f
  use mpi
  use mmarray
  implicit none
  integer, parameter :: m = 512, n = 1000
  type(mm_array_f) :: a, slab
  real(c_double), pointer :: x(:,:)
  character(len=4096) :: path
  integer :: rank, nranks, ierr, i, k, lo, hi, bad
  integer(c_int64_t) :: first

  call MPI_Init(ierr)
  call MPI_Comm_rank(MPI_COMM_WORLD, rank, ierr)
  call MPI_Comm_size(MPI_COMM_WORLD, nranks, ierr)
  call get_command_argument(1, path)
  if (len_trim(path) == 0) then
    if (rank == 0) write (*, "(a)") "usage: mpi_write_f FILE.npy"
    call MPI_Abort(MPI_COMM_WORLD, 2, ierr)
  end if

  if (rank == 0) then
    a = mm_create_npy_f(trim(path), "<f8", [int(m, c_size_t), int(n, c_size_t)], order="F")
    write (*, "(a, i0, a)") "rank 0: created " // trim(path) // ", data at byte ", &
      mm_offset(a%h), " of the file"
    call mm_close_f(a)
  end if
  call MPI_Barrier(MPI_COMM_WORLD, ierr)  ! the file exists before anyone maps it

  ! This rank's columns lo+1 .. hi (a Fortran section, as mm_slice_f counts).
  lo = int(int(n, c_int64_t) * rank / nranks)
  hi = int(int(n, c_int64_t) * (rank + 1) / nranks)
  a = mm_open_npy_f(trim(path), "r+")
  slab = mm_slice_f(a, 2, lo + 1, hi)
  call mm_pointer(slab, x)  ! x(m, hi - lo): an F-order slab of whole columns is contiguous
  do k = 1, size(x, 2)
    do i = 1, m
      x(i, k) = real((i - 1) + (lo + k - 1) * m, c_double)
    end do
  end do
  call mm_flush_range_f(slab)  ! only this rank's bytes
  first = mm_offset(a%h) + int(lo, c_int64_t) * m * 8
  write (*, "(a, i0, a, i0, a, i0, a, i0)") "rank ", rank, ": wrote columns ", lo + 1, ":", &
    hi, ", file bytes from ", first
  call mm_close_f(slab)
  call mm_close_f(a)
  call MPI_Barrier(MPI_COMM_WORLD, ierr)  ! every slab is in the file

  bad = 0
  if (rank == 0) then
    a = mm_open_npy_f(trim(path), "r")
    call mm_pointer(a, x)
    do k = 1, n
      do i = 1, m
        if (x(i, k) /= real((i - 1) + (k - 1) * m, c_double)) bad = bad + 1
      end do
    end do
    if (bad == 0) then
      write (*, "(a, i0, a, i0, a)") "rank 0: checked ", m * n, " elements written by ", &
        nranks, " ranks: ok"
    else
      write (*, "(a, i0, a)") "rank 0: ", bad, " elements WRONG"
    end if
    call mm_close_f(a)
  end if
  call MPI_Bcast(bad, 1, MPI_INTEGER, 0, MPI_COMM_WORLD, ierr)
  call MPI_Finalize(ierr)
  if (bad /= 0) error stop 1
end program
