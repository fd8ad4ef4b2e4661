# CMake toolchain file: Windows x86_64 with the MinGW-w64 cross compilers (Debian:
# apt-get install gcc-mingw-w64-x86-64; Rust: rustup target add x86_64-pc-windows-gnu).
#
# The packaging project, cross-built and installed:
#   cmake -S cmake -B build/win-pkg -DCMAKE_TOOLCHAIN_FILE=cmake/toolchain-mingw-w64.cmake \
#         -DCMAKE_INSTALL_PREFIX=/some/win/prefix
#   cmake --build build/win-pkg && cmake --install build/win-pkg
# installs bin/mmarray.dll, lib/libmmarray.dll.a (import library), lib/libmmarray.a,
# include/mmarray.h, lib/cmake/mmarray/ (find_package) and lib/pkgconfig/mmarray.pc.
#
# A consumer project with the same toolchain file and -DCMAKE_PREFIX_PATH=/some/win/prefix
# does find_package(mmarray) and links mmarray::mmarray; its .exe needs mmarray.dll next
# to it or on PATH. When wine64 is installed, CMAKE_CROSSCOMPILING_EMULATOR is set to it,
# so that ctest runs the consumer's tests under Wine.
#
# MMARRAY_MINGW_PREFIX (default x86_64-w64-mingw32) names the cross tools.
set(CMAKE_SYSTEM_NAME Windows)
set(CMAKE_SYSTEM_PROCESSOR x86_64)

if(NOT DEFINED MMARRAY_MINGW_PREFIX)
  set(MMARRAY_MINGW_PREFIX x86_64-w64-mingw32)
endif()
# Read again by try_compile projects, which only see the toolchain file.
list(APPEND CMAKE_TRY_COMPILE_PLATFORM_VARIABLES MMARRAY_MINGW_PREFIX)

find_program(CMAKE_C_COMPILER NAMES ${MMARRAY_MINGW_PREFIX}-gcc-posix ${MMARRAY_MINGW_PREFIX}-gcc)
# C++ only when g++-mingw-w64-x86-64 is installed: MMARRAY_MINGW_CXX says whether it is.
find_program(MMARRAY_MINGW_CXX NAMES ${MMARRAY_MINGW_PREFIX}-g++-posix ${MMARRAY_MINGW_PREFIX}-g++)
if(MMARRAY_MINGW_CXX)
  set(CMAKE_CXX_COMPILER "${MMARRAY_MINGW_CXX}")
endif()
find_program(CMAKE_RC_COMPILER NAMES ${MMARRAY_MINGW_PREFIX}-windres)
find_program(CMAKE_AR NAMES ${MMARRAY_MINGW_PREFIX}-ar)
find_program(CMAKE_RANLIB NAMES ${MMARRAY_MINGW_PREFIX}-ranlib)
find_program(CMAKE_STRIP NAMES ${MMARRAY_MINGW_PREFIX}-strip)
if(NOT CMAKE_C_COMPILER)
  message(FATAL_ERROR "toolchain-mingw-w64: ${MMARRAY_MINGW_PREFIX}-gcc not found "
                      "(Debian: apt-get install gcc-mingw-w64-x86-64)")
endif()

# The MinGW sysroot for headers and libraries; programs (cargo, wine) from the host;
# packages (find_package) from the sysroot and from CMAKE_PREFIX_PATH as given.
set(CMAKE_FIND_ROOT_PATH /usr/${MMARRAY_MINGW_PREFIX})
set(CMAKE_FIND_ROOT_PATH_MODE_PROGRAM NEVER)
set(CMAKE_FIND_ROOT_PATH_MODE_LIBRARY ONLY)
set(CMAKE_FIND_ROOT_PATH_MODE_INCLUDE ONLY)
set(CMAKE_FIND_ROOT_PATH_MODE_PACKAGE BOTH)

# The Rust target the packaging project (cmake/CMakeLists.txt) builds for.
set(MMARRAY_RUST_TARGET x86_64-pc-windows-gnu CACHE STRING "cargo --target of the mmarray build")

# ctest runs cross-built executables through this (Debian's wine64 package puts the
# 64-bit loader in /usr/lib/wine).
if(NOT CMAKE_CROSSCOMPILING_EMULATOR)
  find_program(MMARRAY_WINE64 NAMES wine64 PATHS /usr/lib/wine NO_CMAKE_FIND_ROOT_PATH)
  if(MMARRAY_WINE64)
    set(CMAKE_CROSSCOMPILING_EMULATOR "${MMARRAY_WINE64}")
  endif()
endif()
