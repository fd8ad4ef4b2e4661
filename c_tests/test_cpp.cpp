// C++17 use of the C header: an RAII owner for handles, std::thread, std::vector shapes.
#include "check.h"

#include <atomic>
#include <cstring>
#include <string>
#include <string_view>
#include <thread>
#include <utility>
#include <vector>

namespace {

// Owns one handle; closing twice is impossible by construction.
class Array {
  public:
    Array() = default;
    explicit Array(mm_array h) : h_(h) {}
    Array(Array &&o) noexcept : h_(std::exchange(o.h_, 0)) {}
    Array &operator=(Array &&o) noexcept {
        if (this != &o) {
            reset();
            h_ = std::exchange(o.h_, 0);
        }
        return *this;
    }
    Array(const Array &) = delete;
    Array &operator=(const Array &) = delete;
    ~Array() { reset(); }

    static Array open(const std::string &path, const char *dtype, const char *mode,
                      std::vector<std::size_t> shape, char order = 'C', std::uint64_t offset = 0) {
        mm_array h = 0;
        mm_status s = mm_open(path.c_str(), dtype, mode, offset, shape.data(), shape.size(), order, &h);
        CHECK_OK(s);
        return Array(h);
    }
    Array slice(std::size_t axis, std::int64_t start, std::int64_t stop, std::int64_t step) const {
        mm_array h = 0;
        CHECK_OK(mm_slice(h_, axis, start, stop, step, &h));
        return Array(h);
    }
    Array view(const char *dtype, std::int64_t off, std::vector<std::size_t> shape,
               std::vector<std::int64_t> strides) const {
        mm_array h = 0;
        CHECK_OK(mm_view(h_, dtype, off, shape.data(), shape.size(),
                         strides.empty() ? nullptr : strides.data(), &h));
        return Array(h);
    }
    template <class T> T at(std::initializer_list<std::size_t> idx) const {
        const char *p = static_cast<const char *>(mm_data(h_));
        std::size_t k = 0;
        for (std::size_t i : idx) p += static_cast<std::int64_t>(i) * mm_strides(h_)[k++];
        T v;
        std::memcpy(&v, p, sizeof v);
        return v;
    }
    mm_array get() const { return h_; }
    void reset() {
        if (h_ != 0) CHECK_OK(mm_close(std::exchange(h_, 0)));
    }

  private:
    mm_array h_ = 0;
};

void test_raii_and_views() {
    char dir[256];
    tmpdir_make(dir, sizeof dir);
    const std::string path = std::string(dir) + "/cpp.bin";
    {
        Array a = Array::open(path, "float32", "w+", {3, 5}, 'F');
        REQUIRE(a.get() != 0);
        auto *p = static_cast<char *>(mm_data(a.get()));
        for (std::size_t i = 0; i < 3; i++)
            for (std::size_t j = 0; j < 5; j++) {
                float v = static_cast<float>(i * 10 + j);
                std::memcpy(p + i * mm_strides(a.get())[0] + j * mm_strides(a.get())[1], &v, 4);
            }
        CHECK_OK(mm_flush(a.get()));
        Array col = a.slice(1, 4, 1, -2);                        // columns 4, 2
        CHECK_EQ_U(mm_shape(col.get())[1], 2);
        CHECK_EQ_D(col.at<float>({2, 0}), 24.0f);
        CHECK_EQ_D(col.at<float>({1, 1}), 12.0f);
        Array t = a.view(nullptr, 0, {5, 3}, {12, 4});           // transpose of the F array
        CHECK_EQ_D(t.at<float>({4, 2}), 24.0f);
        CHECK_EQ_U(mm_flags(t.get()) & MM_C_CONTIGUOUS, MM_C_CONTIGUOUS);
        a.reset();                                               // base first
        CHECK_EQ_D(t.at<float>({0, 1}), 10.0f);
        Array moved = std::move(t);
        CHECK_EQ_U(t.get(), 0);
        CHECK_EQ_D(moved.at<float>({3, 0}), 3.0f);
    }
    CHECK_EQ_I(file_size(path.c_str()), 60);
    CHECK_EQ_U(mm_handle_count(), 0);

    // errors are reported the same way from C++
    mm_array h = 1;
    CHECK_STATUS(mm_open(path.c_str(), "float32", "rw", 0, nullptr, 0, 'C', &h), MM_E_INVALID_ARG);
    CHECK_EQ_U(h, 0);
    std::string msg(mm_last_error_copy(nullptr, 0) - 1, '\0');
    mm_last_error_copy(msg.data(), msg.size() + 1);
    CHECK_EQ_S(msg.c_str(), mm_last_error_message());
    CHECK(std::string_view(msg).find("mm_open") != std::string_view::npos);
    CHECK_EQ_S(mm_version_string(), "0.1.0");
    tmpdir_remove(dir);
}

void test_threads() {
    char dir[256];
    tmpdir_make(dir, sizeof dir);
    const std::string path = std::string(dir) + "/t.bin";
    write_pattern_file(path.c_str(), 1000);
    Array base = Array::open(path, "u1", "r", {1000});
    std::atomic<int> ok{0};
    std::vector<std::thread> ts;
    for (int t = 0; t < 4; t++)
        ts.emplace_back([&, t] {
            for (int i = 0; i < 50; i++) {
                Array s = base.slice(0, t * 100 + i, 1000, 3);
                if (s.at<unsigned char>({1}) == pattern_byte(static_cast<std::size_t>(t * 100 + i + 3)))
                    ok++;
            }
        });
    for (auto &th : ts) th.join();
    CHECK_EQ_I(ok.load(), 200);
    base.reset();
    tmpdir_remove(dir);
}

}  // namespace

int main() {
    RUN(test_raii_and_views);
    RUN(test_threads);
    return test_summary();
}
