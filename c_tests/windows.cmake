# The C tests cross-built for Windows (included by CMakeLists.txt when WIN32), run by
# ctest under Wine through CMAKE_CROSSCOMPILING_EMULATOR (cmake/toolchain-mingw-w64.cmake):
#
#   cmake -S c_tests -B build/win-c_tests -DCMAKE_TOOLCHAIN_FILE=cmake/toolchain-mingw-w64.cmake \
#         -DCMAKE_PREFIX_PATH=<the Windows install prefix>
#   cmake --build build/win-c_tests && ctest --test-dir build/win-c_tests
#
# This project is itself the out-of-tree Windows consumer of the installed package:
# find_package(mmarray) with the toolchain file, mmarray::mmarray (the DLL through its
# import library) and mmarray::mmarray_static, the DLL copied next to each .exe.
#
# Which C tests run here, and why the others do not:
#   run: test_open, test_npz, test_views, test_handles, test_zero, test_grow, test_fd,
#        test_write_cow, test_threads, test_version, test_describe, test_cpp (only with
#        g++-mingw-w64-x86-64, which the stage does not install),
#        test_open_static, test_windows (the Windows-only cases), test_win_handle
#        (mm_open_handle, declared for Windows only), consumer
#        (test_open's symlink case and test_fd's directory/FIFO descriptor case are left out
#        on Windows, in the sources)
#   not: test_errors, test_controls (fork, setrlimit, signals, chmod permission bits,
#        FIFOs), test_fork (fork), test_cancel and test_cancel_free (pthread_cancel),
#        test_two_copies (dlopen of the .so), test_bad_input (sockets, symlinks,
#        hard links, /proc), test_stress (a 3 s timing run: the Linux reliability stage's),
#        valgrind runs (no valgrind for Windows binaries), the header, pkg-config,
#        install-layout and README checks (run on Linux with the same header).
set(_mm_win_tests test_open test_npz test_views test_handles test_zero test_grow test_fd
    test_write_cow test_threads test_version test_describe)

set(MMARRAY_WIN_FULL_DRIVE "" CACHE STRING
    "a Wine drive (e.g. T:) mapped to a small full-able tmpfs, for test_windows' full-disk case")

# Everything but mmarray.dll linked statically (libgcc, winpthread, libstdc++): the .exe
# needs only the DLL next to it.
function(mm_win_exe name)
  cmake_parse_arguments(T "STATIC" "" "SOURCES" ${ARGN})
  add_executable(${name} ${T_SOURCES})
  target_compile_options(${name} PRIVATE ${_warn})
  target_include_directories(${name} PRIVATE "${CMAKE_CURRENT_SOURCE_DIR}")
  target_link_options(${name} PRIVATE -static)
  if(T_STATIC)
    target_link_libraries(${name} PRIVATE mmarray::mmarray_static Threads::Threads)
  else()
    target_link_libraries(${name} PRIVATE mmarray::mmarray Threads::Threads)
    add_custom_command(TARGET ${name} POST_BUILD
      COMMAND "${CMAKE_COMMAND}" -E copy_if_different "$<TARGET_FILE:mmarray::mmarray>"
              "$<TARGET_FILE_DIR:${name}>"
      VERBATIM)
  endif()
endfunction()

foreach(t IN LISTS _mm_win_tests)
  mm_win_exe(${t} SOURCES ${t}.c)
  add_test(NAME ${t} COMMAND ${t})
endforeach()
if(MMARRAY_MINGW_CXX)   # found by the toolchain file (not a host compiler)
  enable_language(CXX)
  mm_win_exe(test_cpp SOURCES test_cpp.cpp)
  add_test(NAME test_cpp COMMAND test_cpp)
else()
  message(STATUS "test_cpp not built for Windows: no MinGW C++ compiler "
                 "(apt-get install g++-mingw-w64-x86-64)")
endif()
mm_win_exe(test_open_static STATIC SOURCES test_open.c)
add_test(NAME test_open_static COMMAND test_open_static)
mm_win_exe(test_windows SOURCES test_windows.c)
target_link_libraries(test_windows PRIVATE shell32)
if(MMARRAY_WIN_FULL_DRIVE)
  add_test(NAME test_windows COMMAND test_windows --full-drive "${MMARRAY_WIN_FULL_DRIVE}")
else()
  add_test(NAME test_windows COMMAND test_windows)
endif()
mm_win_exe(test_win_handle SOURCES test_win_handle.c)
add_test(NAME test_win_handle COMMAND test_win_handle)
mm_win_exe(test_numpy_cross SOURCES test_numpy_cross.c)   # run by scripts/test_windows.sh
mm_win_exe(consumer SOURCES consumer.c)
add_test(NAME consumer COMMAND consumer consumer-out.i8)   # writes into the build dir

get_property(_mm_all_tests DIRECTORY PROPERTY TESTS)
set_tests_properties(${_mm_all_tests} PROPERTIES TIMEOUT 300 LABELS windows)
# The static test must not need mmarray.dll: its directory has none unless another
# target copied it there, so it runs from a directory of its own.
set_target_properties(test_open_static PROPERTIES RUNTIME_OUTPUT_DIRECTORY
                      "${CMAKE_CURRENT_BINARY_DIR}/static")
