// Tests of include/mmarray.hpp: RAII, exceptions with status codes, typed access, views.
// Built as C++17 and as C++20 (which adds the std::span checks); see run_tests.sh.
#include "mmarray.hpp"

#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <iterator>
#include <string>
#include <type_traits>
#include <unistd.h>

#include "test_check.hpp"

static_assert(!std::is_copy_constructible_v<mmarray::array>, "move-only");
static_assert(!std::is_copy_assignable_v<mmarray::array>, "move-only");
static_assert(std::is_nothrow_move_constructible_v<mmarray::array>, "noexcept move");
static_assert(std::is_nothrow_move_assignable_v<mmarray::array>, "noexcept move");

int main() {
  char dir[] = "/tmp/mm_cpp_XXXXXX";
  if (mkdtemp(dir) == nullptr) {
    return 2;
  }
  const std::string path = std::string(dir) + "/a.bin";
  const std::size_t live0 = mm_handle_count();

  {
    // w+ creates the file; typed writes land in it.
    auto a = mmarray::array::open(path, "<f8", "w+", 16, {3, 4});  // single braces
    CHECK(a.ndim() == 2);
    CHECK((a.shape() == std::vector<std::size_t>{3, 4}));
    CHECK((a.strides() == std::vector<std::int64_t>{32, 8}));
    CHECK(a.dtype() == "<f8" && a.mode() == "w+" && a.offset() == 16);
    CHECK(a.itemsize() == 8 && a.size() == 12 && a.nbytes() == 96);
    CHECK(a.filename() && *a.filename() == path);
    CHECK(a.writeable());
    double *p = a.data<double>();
    for (int i = 0; i < 12; ++i) {
      p[i] = i * 0.5;
    }
    a.flush();
    CHECK(mm_handle_count() == live0 + 1);

    // Typed access checks the dtype and the byte order.
    EXPECT_ERROR(MM_E_INVALID_ARG, "dtype is <f8 (float64) but T is int32", a.data<std::int32_t>());
    EXPECT_ERROR(MM_E_INVALID_ARG, "T is float32", a.data<float>());

    // view() and slice() are new arrays that outlive the base.
    mmarray::array row = a.slice(0, 1, 2);
    mmarray::array rev = a.slice(1, mmarray::omit_start(-1), mmarray::omit_stop(-1), -1);
    mmarray::array t = a.view(nullptr, 0, {4, 3}, std::vector<std::int64_t>{8, 32});
    CHECK(mm_handle_count() == live0 + 4);
    a.close();
    CHECK(!a);
    CHECK(mm_handle_count() == live0 + 3);
    EXPECT_ERROR(MM_E_BAD_HANDLE, "empty", a.size());
    EXPECT_ERROR(MM_E_BAD_HANDLE, "not open", a.data());
    CHECK((row.shape() == std::vector<std::size_t>{1, 4}));
    CHECK(row.data<double>()[3] == 3.5);
    CHECK(rev.data<double>()[0] == 1.5);
    CHECK((rev.strides() == std::vector<std::int64_t>{32, -8}));
    CHECK(t.data<double>()[1] == 0.5);  // memory order: t[1][0] is a[0][1]
    CHECK((t.flags() & MM_F_CONTIGUOUS) != 0 && (t.flags() & MM_C_CONTIGUOUS) == 0);
#ifdef MMARRAY_HPP_HAS_SPAN
    std::span<double> s = t.span<double>();
    CHECK(s.size() == 12 && s[11] == 5.5);
    EXPECT_ERROR(MM_E_INVALID_ARG, "not contiguous", (void)rev.span<double>());
#endif

    // Moves transfer the handle; the moved-from array is empty; one close in total.
    mmarray::array moved = std::move(row);
    CHECK(!row && moved);
    CHECK(row.handle() == 0);
    mmarray::array target;
    target = std::move(moved);
    CHECK(target.shape()[1] == 4);
    CHECK(mm_handle_count() == live0 + 3);
    target = std::move(rev);  // closes target's old handle
    CHECK(mm_handle_count() == live0 + 2);

    // A view too big for the array region.
    EXPECT_ERROR(MM_E_OUT_OF_BOUNDS, "reaches", (void)t.view(nullptr, 8, {12}));
    EXPECT_ERROR(MM_E_INVALID_ARG, "strides for", (void)t.view(nullptr, 0, {12}, std::vector<std::int64_t>{}));
  }  // destructors close everything
  CHECK(mm_handle_count() == live0);

  {
    // The file as written: 16 bytes of offset, then 12 doubles.
    std::ifstream f(path, std::ios::binary | std::ios::ate);
    CHECK(static_cast<std::size_t>(f.tellg()) == 16 + 96);
    auto r = mmarray::array::open(path, "float64", "r", 16);
    CHECK((r.shape() == std::vector<std::size_t>{12}));
    CHECK(!r.writeable());
    CHECK(r.data<const double>()[7] == 3.5);
    // A read-only array gives const T only.
    EXPECT_ERROR(MM_E_READ_ONLY, "read-only; ask for a const T", r.data<double>());
    EXPECT_ERROR(MM_E_READ_ONLY, "read-only", r.accessor<double>());
#ifdef MMARRAY_HPP_HAS_SPAN
    std::span<const double> rs = r.span<const double>();
    CHECK(rs.size() == 12 && rs[7] == 3.5);
    EXPECT_ERROR(MM_E_READ_ONLY, "read-only", (void)r.span<double>());
#endif
    // Same bytes seen as big-endian: data<T> refuses (not native order).
    auto be = r.view(">f8", 0, {12});
    EXPECT_ERROR(MM_E_INVALID_ARG, "dtype is >f8", be.data<double>());
    auto bytes = r.view("u1", 0, {96});
    CHECK(bytes.data<const std::uint8_t>()[8 * 7 + 7] == 0x40);  // 3.5 = 0x400C000000000000
    auto flags = r.view("?", 0, {4});
    CHECK(flags.data<const bool>() != nullptr);
    auto c = r.view("complex128", 0, {6});
    CHECK(c.data<const std::complex<double>>()[1] == std::complex<double>(1.0, 1.5));
    // DLPack export through the C++ wrapper.
    mm_dl_managed_tensor_versioned *dl = r.to_dlpack();
    CHECK(dl->version.major == 1 && (dl->flags & MM_DLPACK_FLAG_READ_ONLY) != 0);
    CHECK(dl->dl_tensor.ndim == 1 && dl->dl_tensor.shape[0] == 12 && dl->dl_tensor.strides[0] == 1);
    dl->deleter(dl);
    EXPECT_ERROR(MM_E_UNSUPPORTED, "byte order", (void)be.to_dlpack());
  }

  // Errors carry the status code and the library's message.
  EXPECT_ERROR(MM_E_NOT_FOUND, "/missing.bin", mmarray::array::open(std::string(dir) + "/missing.bin", "<f8", "r"));
  EXPECT_ERROR(MM_E_INVALID_ARG, "not understood", mmarray::array::open(path, "<q9", "r"));
  EXPECT_ERROR(MM_E_FILE_TOO_SMALL, "", mmarray::array::open(path, "<f8", "r", 0, {{100}}));
  EXPECT_ERROR(MM_E_INVALID_ARG, "", mmarray::array::open(path, "<f8", "r").slice(0, 0, 1, 0));
  try {
    mmarray::array::open(path, "<f8", "bogus");
  } catch (const std::runtime_error &e) {  // catchable as a standard exception
    CHECK(std::strstr(e.what(), "bogus") != nullptr);
  }

  // Adopting and releasing C handles.
  mm_array raw = 0;
  CHECK(mm_open(path.c_str(), "u1", "r", 0, nullptr, 0, 'C', &raw) == MM_OK);
  {
    mmarray::array adopted(raw);
    CHECK(adopted.size() == 112);
    mm_array back = adopted.release();
    CHECK(back == raw && !adopted);
  }
  CHECK(mm_close(raw) == MM_OK);
  CHECK(mm_handle_count() == live0);
  {
    // A handle closed behind the wrapper's back: getters throw instead of answering 0.
    auto stale = mmarray::array::open(path, "u1", "r");
    CHECK(mm_close(stale.handle()) == MM_OK);
    EXPECT_ERROR(MM_E_BAD_HANDLE, "not open", (void)stale.ndim());
    EXPECT_ERROR(MM_E_BAD_HANDLE, "not open", (void)stale.flags());
    EXPECT_ERROR(MM_E_BAD_HANDLE, "not open", (void)stale.dtype());
  }  // its destructor's mm_close fails quietly
  CHECK(mm_handle_count() == live0);

  {
    // .npy files: create_npy (open_memmap w+), open_npy (np.load mmap_mode), save_npy.
    const std::string npy = std::string(dir) + "/f.npy";
    {
      auto a = mmarray::array::create_npy(npy, "<f8", {3, 4}, 'F');
      CHECK(a.mode() == "r+" && a.offset() == 128);
      CHECK((a.strides() == std::vector<std::int64_t>{8, 24}));
      double *p = a.data<double>();
      for (int i = 0; i < 12; ++i) {
        p[i] = i - 2.5;  // memory (F) order: a[i][j] = 3*j + i - 2.5
      }
      a.flush();
    }
    // The header np.save writes for np.asfortranarray of a (3, 4) <f8 array.
    std::string dict = "{'descr': '<f8', 'fortran_order': True, 'shape': (3, 4), }";
    dict += std::string(128 - 10 - dict.size() - 1, ' ') + "\n";
    const std::string header = std::string("\x93NUMPY\x01\x00", 8) + char(118) + char(0) + dict;
    std::ifstream f(npy, std::ios::binary);
    std::string bytes((std::istreambuf_iterator<char>(f)), std::istreambuf_iterator<char>());
    CHECK(bytes.size() == 128 + 96 && bytes.compare(0, 128, header) == 0);

    auto r = mmarray::array::open_npy(npy, "r");
    CHECK(r.dtype() == "<f8" && r.mode() == "r" && !r.writeable() && r.offset() == 128);
    CHECK((r.shape() == std::vector<std::size_t>{3, 4}));
    CHECK((r.flags() & MM_F_CONTIGUOUS) != 0 && (r.flags() & MM_C_CONTIGUOUS) == 0);
    CHECK(r.data<const double>()[3 * 2 + 1] == 3 * 2 + 1 - 2.5);  // r[1][2]
    CHECK(mmarray::array::open_npy(npy).mode() == "r+");   // the default, as open_memmap

    // save_npy of a reversed row slice r[1:2, ::-1] (strided): a C-order .npy.
    const std::string rev_path = std::string(dir) + "/rev.npy";
    r.slice(0, 1, 2).slice(1, mmarray::omit_start(-1), mmarray::omit_stop(-1), -1).save_npy(rev_path);
    auto rev = mmarray::array::open_npy(rev_path, "r");
    CHECK((rev.shape() == std::vector<std::size_t>{1, 4}));
    CHECK((rev.strides() == std::vector<std::int64_t>{32, 8}));
    for (int j = 0; j < 4; ++j) {
      CHECK(rev.data<const double>()[j] == 3 * (3 - j) + 1 - 2.5);
    }
    // save_npy of the transpose (C-contiguous in memory): a plain C-order (4, 3) file.
    const std::string t_path = std::string(dir) + "/t.npy";
    r.view(nullptr, 0, {4, 3}, std::vector<std::int64_t>{24, 8}).save_npy(t_path);
    auto t = mmarray::array::open_npy(t_path, "c");
    CHECK(t.mode() == "c" && (t.flags() & MM_C_CONTIGUOUS) != 0);
    CHECK(t.data<double>()[5] == 5 - 2.5);
    t.data<double>()[5] = 99;  // copy-on-write: the file keeps its value
    CHECK(mmarray::array::open_npy(t_path, "r").data<const double>()[5] == 5 - 2.5);

    // A 0-d array and a big-endian one.
    auto zero_d = mmarray::array::create_npy(std::string(dir) + "/z.npy", ">i4", {});
    CHECK(zero_d.ndim() == 0 && zero_d.size() == 1 && zero_d.dtype() == ">i4");
    EXPECT_ERROR(MM_E_INVALID_ARG, "dtype is >i4", zero_d.data<std::int32_t>());

    // Errors.
    EXPECT_ERROR(MM_E_NOT_FOUND, "/missing.npy", mmarray::array::open_npy(std::string(dir) + "/missing.npy"));
    EXPECT_ERROR(MM_E_FORMAT, "", mmarray::array::open_npy(path, "r"));  // a raw file
    EXPECT_ERROR(MM_E_INVALID_ARG, "", mmarray::array::open_npy(npy, "w+"));
    EXPECT_ERROR(MM_E_INVALID_ARG, "", mmarray::array::create_npy(std::string(dir) + "/x.npy", nullptr, {2}));
    EXPECT_ERROR(MM_E_INVALID_ARG, "not understood", mmarray::array::create_npy(std::string(dir) + "/x.npy", "<q9", {2}));
    mmarray::array empty;
    EXPECT_ERROR(MM_E_BAD_HANDLE, "empty", empty.save_npy(std::string(dir) + "/x.npy"));
    std::ifstream x(std::string(dir) + "/x.npy");
    CHECK(!x.good());  // no failed call left a file

    // .npz: save_npz (np.savez / np.savez_compressed), npz_names, open_npz.
    for (bool compress : {false, true}) {
      const std::string npz = std::string(dir) + (compress ? "/c.npz" : "/s.npz");
      auto row = r.slice(0, 1, 2);
      mmarray::save_npz(npz, {"r", "row/1"}, {&r, &row}, compress);
      CHECK((mmarray::npz_names(npz) == std::vector<std::string>{"r", "row/1"}));
      auto m = mmarray::array::open_npz(npz, "r");
      CHECK(m.mode() == "r" && !m.writeable() && m.offset() == (compress ? 0u : 183u));
      CHECK((m.shape() == std::vector<std::size_t>{3, 4}));
      // A stored member's data is where numpy put it: byte 183, not 8-aligned.
      CHECK(((m.flags() & MM_ALIGNED) != 0) == compress);
      CHECK(m.get<double>(3 * 2 + 1) == 3 * 2 + 1 - 2.5);  // m[1][2], F order
      auto w = mmarray::array::open_npz(npz, "row/1.npy", "c");
      CHECK(w.writeable() && (w.shape() == std::vector<std::size_t>{1, 4}));
      CHECK(w.get<double>(2) == 3 * 2 + 1 - 2.5);
      EXPECT_ERROR(MM_E_UNSUPPORTED, "CRC", mmarray::array::open_npz(npz, "r", "r+"));
      EXPECT_ERROR(MM_E_NOT_FOUND, "not a member", mmarray::array::open_npz(npz, "q"));
      std::remove(npz.c_str());
    }
    EXPECT_ERROR(MM_E_INVALID_ARG, "1 names for 0 arrays",
                 mmarray::save_npz(std::string(dir) + "/x.npz", {"a"}, {}));
    EXPECT_ERROR(MM_E_BAD_HANDLE, "", mmarray::save_npz(std::string(dir) + "/x.npz", {"a"}, {&empty}));
    for (const char *name : {"/f.npy", "/rev.npy", "/t.npy", "/z.npy"}) {
      std::remove((std::string(dir) + name).c_str());
    }
  }
  CHECK(mm_handle_count() == live0);

  {
    // Issue 10 defect 12: an empty shape vector is a 0-d array (its data() may be NULL,
    // which would ask mm_open to infer a 1-D shape). w+ makes an 8-byte file of one <f8;
    // r+ on a 24-byte file sees its first element only.
    const std::string z = std::string(dir) + "/zero_d.f8";
    {
      auto w = mmarray::array::open(z, "<f8", "w+", 0, std::vector<std::size_t>{});
      CHECK(w.ndim() == 0 && w.shape().empty() && w.strides().empty() && w.size() == 1);
      *w.data<double>() = 2.25;
      w.flush();
    }
    std::ifstream zf(z, std::ios::binary | std::ios::ate);
    CHECK(static_cast<std::size_t>(zf.tellg()) == 8);
    {
      auto grow = mmarray::array::open(z, "u1", "r+");
      CHECK(grow.size() == 8);
    }
    std::ofstream(z, std::ios::binary | std::ios::app) << std::string(16, '\0');
    {
      auto r = mmarray::array::open(z, "<f8", "r+", 0, std::vector<std::size_t>{});
      CHECK(r.ndim() == 0 && r.size() == 1 && r.nbytes() == 8 && *r.data<const double>() == 2.25);
      auto v = r.view("<i8", 0, {});  // an empty shape is 0-d for view() too
      CHECK(v.ndim() == 0 && v.size() == 1 && v.dtype() == "<i8");
    }
    std::remove(z.c_str());
  }
  CHECK(mm_handle_count() == live0);

  {
    // Issue 10 defect 15: an <f8 array at byte offset 3 (numpy allows it). data<double>()
    // refuses to hand out the misaligned double*; get/set/data_bytes work at any address.
    const std::string odd = std::string(dir) + "/odd.f8";
    {
      auto w = mmarray::array::open(odd, "<f8", "w+", 3, {{4}});
      CHECK(reinterpret_cast<std::uintptr_t>(w.data()) % 8 == 3);
      CHECK((w.flags() & MM_ALIGNED) == 0);
      EXPECT_ERROR(MM_E_INVALID_ARG, "not aligned", (void)w.data<double>());
#ifdef MMARRAY_HPP_HAS_SPAN
      EXPECT_ERROR(MM_E_INVALID_ARG, "not aligned", (void)w.span<double>());
#endif
      for (std::size_t i = 0; i < 4; ++i) {
        w.set<double>(i, 1.5 * static_cast<double>(i) - 1);
      }
      CHECK(w.get<double>(3) == 3.5);
      EXPECT_ERROR(MM_E_OUT_OF_BOUNDS, "index 4 of an array of 4", (void)w.get<double>(4));
      EXPECT_ERROR(MM_E_INVALID_ARG, "T is float32", (void)w.get<float>(0));
      double second = 0;
      std::memcpy(&second, w.data_bytes() + 8, sizeof second);
      CHECK(second == 0.5);
      // A zero-size view there: the flag says aligned (numpy: empty arrays are), the
      // address is not, and data<double>() still refuses it.
      auto empty = w.view(nullptr, 8, {0});
      CHECK(empty.size() == 0 && (empty.flags() & MM_ALIGNED) != 0);
      EXPECT_ERROR(MM_E_INVALID_ARG, "not aligned", (void)empty.data<double>());
#ifdef MMARRAY_HPP_HAS_SPAN
      CHECK(empty.span<double>().empty());
#endif
      // An aligned first element with a stride of 12 bytes: MM_ALIGNED is off.
      auto strided = w.view("<f8", 5, {2}, std::vector<std::int64_t>{12});
      CHECK(reinterpret_cast<std::uintptr_t>(strided.data()) % 8 == 0);
      EXPECT_ERROR(MM_E_INVALID_ARG, "not aligned", (void)strided.data<double>());
      w.flush();
    }
    std::ifstream f(odd, std::ios::binary);
    std::string bytes((std::istreambuf_iterator<char>(f)), std::istreambuf_iterator<char>());
    CHECK(bytes.size() == 3 + 32);
    double on_disk[4];
    std::memcpy(on_disk, bytes.data() + 3, sizeof on_disk);
    CHECK(on_disk[0] == -1 && on_disk[1] == 0.5 && on_disk[2] == 2 && on_disk[3] == 3.5);
    auto r = mmarray::array::open(odd, "<f8", "r", 3);
    CHECK(r.get<double>(1) == 0.5);
    EXPECT_ERROR(MM_E_READ_ONLY, "read-only", r.set<double>(0, 1.0));
    // The same file at offset 0 as bytes: aligned, data<T>() works as before.
    auto u = mmarray::array::open(odd, "u1", "r");
    CHECK(u.data<const std::uint8_t>()[0] == 0 && u.size() == 35);
    std::remove(odd.c_str());
  }
  CHECK(mm_handle_count() == live0);

  {
    // Growing .npy files: append (pointer and count; a span in C++20), grow, recover.
    const std::string log = std::string(dir) + "/log.npy";
    auto a = mmarray::array::create_npy(log, "<i4", {0, 3});
    CHECK(a.row_elements() == 3);
    const std::int32_t rows[6] = {1, 2, 3, 4, 5, 6};
    auto g = a.append(rows, 6);
    CHECK((g.shape() == std::vector<std::size_t>{2, 3}));
    CHECK(g.data<std::int32_t>()[5] == 6);
    CHECK((a.shape() == std::vector<std::size_t>{0, 3}));  // a keeps its shape
    EXPECT_ERROR(MM_E_INVALID_ARG, "whole rows", a.append(rows, 4));
    EXPECT_ERROR(MM_E_INVALID_ARG, "dtype", a.append(reinterpret_cast<const float *>(rows), 3));
#ifdef MMARRAY_HPP_HAS_SPAN
    auto s = a.append(std::span<const std::int32_t>(rows, 3));
    CHECK((s.shape() == std::vector<std::size_t>{3, 3}));
#endif
    auto big = a.grow(10);
    CHECK((big.shape() == std::vector<std::size_t>{10, 3}) && big.data<std::int32_t>()[29] == 0);
    CHECK(mmarray::array::recover(log) == 10);
    auto ro = mmarray::array::open_npy(log, "r");
    EXPECT_ERROR(MM_E_READ_ONLY, "mode r", ro.append(rows, 3));
    // Fortran order: the last axis grows, a row is one column of 2 values.
    const std::string f = std::string(dir) + "/f_grow.npy";
    auto fa = mmarray::array::create_npy(f, "<i4", {2, 3}, 'F');
    CHECK(fa.row_elements() == 2);
    auto fg = fa.append(rows, 4);
    CHECK((fg.shape() == std::vector<std::size_t>{2, 5}) && fg.data<std::int32_t>()[9] == 4);
    std::remove(log.c_str());
    std::remove(f.c_str());
  }
  CHECK(mm_handle_count() == live0);

  {
    // Issue 14: texts as std::string / std::string_view, the one-call snapshot, the
    // scalar kind, and strided, bounds-checked element access.
    const std::string p2 = std::string(dir) + "/s.bin";
    const std::string dt = "<i4";
    const std::string_view mode = "w+";
    auto a = mmarray::array::open(std::string_view(p2), dt, mode, 0, {2, 3});
    CHECK(a.scalar_kind() == MM_SCALAR_INT32);
    const mm_info i = a.info();
    CHECK(i.ndim == 2 && i.shape[0] == 2 && i.shape[1] == 3 && i.strides[0] == 12 &&
          i.strides[1] == 4 && i.size == 6 && i.nbytes == 24 && i.itemsize == 4);
    CHECK(std::string(i.mode) == "w+" && i.data == a.data());
    auto m = a.accessor<std::int32_t>();
    for (std::size_t r = 0; r < 2; ++r) {
      for (std::size_t c = 0; c < 3; ++c) {
        m(r, c) = static_cast<std::int32_t>(10 * r + c);
      }
    }
    CHECK(a.data<std::int32_t>()[4] == 11);  // [1][1] in memory order
    EXPECT_ERROR(MM_E_OUT_OF_BOUNDS, "index 2 of axis 0 with length 2", (void)m(2, 0));
    EXPECT_ERROR(MM_E_OUT_OF_BOUNDS, "index 3 of axis 1", (void)m.at({0, 3}));
    EXPECT_ERROR(MM_E_INVALID_ARG, "1 indices for 2 dimensions", (void)m(0));
    // A reversed, transposed view: indices follow the view, not memory.
    auto rev = a.slice(1, mmarray::omit_start(-1), mmarray::omit_stop(-1), -1);
    auto t = rev.view(nullptr, 0, {3, 2}, std::vector<std::int64_t>{-4, 12});
    auto tm = t.accessor<const std::int32_t>();
    CHECK(tm.ndim() == 2 && tm.extent(0) == 3 && tm.extent(1) == 2 && tm.stride_bytes(0) == -4);
    CHECK(tm(0, 1) == 12 && tm(2, 0) == 0 && tm.at({1, 1}) == 11);
    EXPECT_ERROR(MM_E_INVALID_ARG, "but T is float64", (void)t.accessor<double>());
    // A 0-d view: no indices.
    auto z = a.view(nullptr, 8, std::vector<std::size_t>{});
    CHECK(z.accessor<std::int32_t>()() == 2);
    // Other kinds.
    CHECK(a.view(">i4", 0, {6}).scalar_kind() == MM_SCALAR_OTHER);
    CHECK(a.view("S4", 0, {6}).scalar_kind() == MM_SCALAR_OTHER);
    CHECK(a.view("<f2", 0, {12}).scalar_kind() == MM_SCALAR_FLOAT16);
    // Controls, guarded copies, fields, version.
    a.flush_range(0, 24);
    a.flush_async();
    a.advise(MM_ADVICE_SEQUENTIAL);
    CHECK(a.resident_bytes() == 24);
    std::int32_t v = 0;
    a.read_at(4, &v, 4);
    CHECK(v == 1);
    v = 77;
    a.write_at(20, &v, 4);
    CHECK(m(1, 2) == 77);
    EXPECT_ERROR(MM_E_OUT_OF_BOUNDS, "", a.read_at(21, &v, 4));
    CHECK(a.fields().empty());
    auto rec = a.view("[('x', '<i4'), ('y', '<i2', (2,))]", 0, {3});
    const auto fs = rec.fields();
    CHECK(fs.size() == 2 && fs[1].name == "y" && fs[1].dtype == "<i2" && fs[1].byte_offset == 4 &&
          (fs[1].shape == std::vector<std::size_t>{2}));
    CHECK(mmarray::version() == MM_VERSION_MAJOR * 10000u + MM_VERSION_MINOR * 100u + MM_VERSION_PATCH);
    CHECK(!mmarray::version_string().empty());
    auto pre = mmarray::array::open_ex(p2, MM_OPEN_POPULATE, "<i4", "r", 0, {6});
    CHECK(pre.resident_bytes() == 24);
    try {
      mmarray::array::open(std::string(dir) + "/nope.bin", "u1", "r");
      CHECK(false);
    } catch (const mmarray::error &e) {
      CHECK(e.code() == MM_E_NOT_FOUND && e.os_error() == ENOENT &&
            std::string(e.status_text()) == mm_status_str(MM_E_NOT_FOUND));
    }
    a.close();
    EXPECT_ERROR(MM_E_BAD_HANDLE, "empty", (void)a.info());
    std::remove(p2.c_str());
  }
  CHECK(mm_handle_count() == live0);

  std::remove(path.c_str());
  rmdir(dir);
  if (failures == 0) {
    std::printf("test_cpp_raii (C++%ld): all checks passed\n", static_cast<long>(__cplusplus / 100 % 100));
  }
  return failures == 0 ? 0 : 1;
}
