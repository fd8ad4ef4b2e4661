/* Every MPI rank reads its own slab of a .npy file numpy wrote, through a read-only map.
 *
 *   python -c 'import numpy as np; np.save("in.npy", np.arange(1000 * 512, dtype="<i8").reshape(1000, 512))'
 *   mpirun -np 4 ./mpi_read in.npy
 *
 * Each rank maps the file (mm_open_npy, "r"), takes rows [r*rows/n, (r+1)*rows/n) with
 * mm_slice, checks that element (i, j) is i * cols + j and sums its slab; rank 0 checks
 * that the slabs' sums add up to the sum of 0 .. rows*cols-1. Exit status 0 only when
 * every element was right. */
#include <mmarray.h>
#include <mpi.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

static void fail(int rank, const char *what, mm_status s) {
  fprintf(stderr, "rank %d: %s failed: %s (%s)\n", rank, what, mm_status_str(s),
          mm_last_error_message());
  MPI_Abort(MPI_COMM_WORLD, 1);
}

int main(int argc, char **argv) {
  int rank = 0, nranks = 1;
  MPI_Init(&argc, &argv);
  MPI_Comm_rank(MPI_COMM_WORLD, &rank);
  MPI_Comm_size(MPI_COMM_WORLD, &nranks);
  if (argc < 2) {
    if (rank == 0) fprintf(stderr, "usage: mpi_read FILE.npy\n");
    MPI_Abort(MPI_COMM_WORLD, 2);
  }
  mm_array a = 0, slab = 0;
  mm_status s = mm_open_npy(argv[1], "r", &a);
  if (s != MM_OK) fail(rank, "mm_open_npy", s);
  if (mm_ndim(a) != 2 || strcmp(mm_dtype(a), "<i8") != 0 ||
      !(mm_flags(a) & MM_C_CONTIGUOUS)) {
    fprintf(stderr, "rank %d: expected a 2-D C-order <i8 array, got %zu-D %s\n", rank,
            mm_ndim(a), mm_dtype(a));
    MPI_Abort(MPI_COMM_WORLD, 1);
  }
  size_t rows = mm_shape(a)[0], cols = mm_shape(a)[1];
  int64_t lo = (int64_t)(rows * (size_t)rank / (size_t)nranks);
  int64_t hi = (int64_t)(rows * (size_t)(rank + 1) / (size_t)nranks);
  s = mm_slice(a, 0, lo, hi, 1, &slab);
  if (s != MM_OK) fail(rank, "mm_slice", s);
  const int64_t *x = mm_data(slab);
  long long sum = 0, bad = 0;
  for (int64_t i = lo; i < hi; i++)
    for (size_t j = 0; j < cols; j++) {
      int64_t v = x[(size_t)(i - lo) * cols + j];
      if (v != i * (int64_t)cols + (int64_t)j) bad++;
      sum += v;
    }
  printf("rank %d: rows [%lld, %lld) (strides %lld, %lld bytes; data at byte %llu): sum %lld, %s\n",
         rank, (long long)lo, (long long)hi, (long long)mm_strides(slab)[0],
         (long long)mm_strides(slab)[1], (unsigned long long)mm_offset(a), sum,
         bad ? "WRONG" : "ok");
  mm_close(slab);
  mm_close(a);
  long long total = 0, total_bad = 0;
  MPI_Reduce(&sum, &total, 1, MPI_LONG_LONG, MPI_SUM, 0, MPI_COMM_WORLD);
  MPI_Allreduce(&bad, &total_bad, 1, MPI_LONG_LONG, MPI_SUM, MPI_COMM_WORLD);
  if (rank == 0) {
    long long n = (long long)(rows * cols), expected = n * (n - 1) / 2;
    if (total != expected) total_bad++;
    printf("rank 0: %d slabs sum to %lld, expected %lld: %s\n", nranks, total, expected,
           total_bad ? "WRONG" : "ok");
  }
  MPI_Bcast(&total_bad, 1, MPI_LONG_LONG, 0, MPI_COMM_WORLD);
  MPI_Finalize();
  return total_bad ? 1 : 0;
}
