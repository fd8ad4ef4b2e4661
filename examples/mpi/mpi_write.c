/* Every MPI rank writes its own slab of one .npy file through a shared mapping.
 *
 *   mpirun -np 4 ./mpi_write out.npy [rows] [cols]
 *
 * Rank 0 creates out.npy (rows x cols float64, C order) with mm_create_npy; after a
 * barrier every rank maps it (mm_open_npy, "r+"), takes its rows with mm_slice, writes
 * element (i, j) = i * cols + j, flushes exactly its bytes (mm_flush_range) and closes.
 * After a second barrier rank 0 reopens the file read-only and checks every element.
 * Exit status 0 only when every rank succeeded and the whole file is right.
 *
 * Safe on one node, and across nodes on a file system whose pages other nodes see after
 * msync + barrier (see README, "MPI"). A rank's slab is rows [r*rows/n, (r+1)*rows/n). */
#include <mmarray.h>
#include <mpi.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

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
    if (rank == 0) fprintf(stderr, "usage: mpi_write FILE.npy [rows] [cols]\n");
    MPI_Abort(MPI_COMM_WORLD, 2);
  }
  const char *path = argv[1];
  size_t shape[2] = {argc > 2 ? strtoull(argv[2], NULL, 10) : 1000,
                     argc > 3 ? strtoull(argv[3], NULL, 10) : 512};
  mm_array a = 0;
  mm_status s;

  if (rank == 0) {
    s = mm_create_npy(path, "<f8", shape, 2, 'C', &a);
    if (s != MM_OK) fail(rank, "mm_create_npy", s);
    printf("rank 0: created %s, %zu x %zu <f8, data at byte %llu of the file\n", path,
           shape[0], shape[1], (unsigned long long)mm_offset(a));
    mm_close(a);
  }
  MPI_Barrier(MPI_COMM_WORLD); /* the file exists, with its header, before anyone maps it */

  s = mm_open_npy(path, "r+", &a);
  if (s != MM_OK) fail(rank, "mm_open_npy", s);
  int64_t lo = (int64_t)(shape[0] * (size_t)rank / (size_t)nranks);
  int64_t hi = (int64_t)(shape[0] * (size_t)(rank + 1) / (size_t)nranks);
  mm_array slab = 0;
  s = mm_slice(a, 0, lo, hi, 1, &slab);
  if (s != MM_OK) fail(rank, "mm_slice", s);
  double *x = mm_data(slab);
  size_t cols = shape[1];
  for (int64_t i = lo; i < hi; i++)
    for (size_t j = 0; j < cols; j++) x[(size_t)(i - lo) * cols + j] = (double)((size_t)i * cols + j);
  /* Only this rank's bytes: a slab of C-order rows is contiguous, mm_nbytes long. */
  s = mm_flush_range(slab, 0, mm_nbytes(slab));
  if (s != MM_OK) fail(rank, "mm_flush_range", s);
  printf("rank %d: wrote rows [%lld, %lld), file bytes [%llu, %llu)\n", rank, (long long)lo,
         (long long)hi, (unsigned long long)(mm_offset(a) + (uint64_t)lo * cols * 8),
         (unsigned long long)(mm_offset(a) + (uint64_t)hi * cols * 8));
  mm_close(slab);
  mm_close(a);
  MPI_Barrier(MPI_COMM_WORLD); /* every slab is in the file */

  int bad = 0;
  if (rank == 0) {
    s = mm_open_npy(path, "r", &a);
    if (s != MM_OK) fail(rank, "mm_open_npy (check)", s);
    const double *y = mm_data(a);
    for (size_t k = 0; k < mm_size(a); k++)
      if (y[k] != (double)k) {
        if (bad++ < 5) fprintf(stderr, "rank 0: element %zu is %g, expected %zu\n", k, y[k], k);
      }
    printf("rank 0: checked %zu elements written by %d ranks: %s\n", mm_size(a), nranks,
           bad ? "WRONG" : "ok");
    mm_close(a);
  }
  MPI_Bcast(&bad, 1, MPI_INT, 0, MPI_COMM_WORLD);
  MPI_Finalize();
  return bad ? 1 : 0;
}
