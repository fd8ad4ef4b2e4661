# Build step of the packaging project, run with `cmake -P` at build time (never at
# configure time). Inputs (all -D): CARGO CRATE_DIR TARGET_DIR LOCKED OUT_DIR SONAME
# REALNAME VERSION LIBDIR INCLUDEDIR PC_IN RUST_TARGET WINDOWS CLI.
#
# RUST_TARGET empty: cargo builds for the host and the artifacts are in
# TARGET_DIR/release. Otherwise (x86_64-pc-windows-gnu from the MinGW toolchain file)
# every cargo call gets `--target RUST_TARGET` and the artifacts are in
# TARGET_DIR/RUST_TARGET/release; WINDOWS true means the Windows names (mmarray.dll,
# libmmarray.dll.a, mmarray.exe) instead of libmmarray.so and mmarray.
cmake_minimum_required(VERSION 3.16)

set(_cargo_args "")
if(LOCKED)
  set(_cargo_args --locked)
endif()
if(NOT DEFINED CLI)
  set(CLI ON)
endif()
if(RUST_TARGET)
  list(APPEND _cargo_args --target "${RUST_TARGET}")
  set(_rel "${TARGET_DIR}/${RUST_TARGET}/release")
else()
  set(_rel "${TARGET_DIR}/release")
endif()

set(ENV{CARGO_TARGET_DIR} "${TARGET_DIR}")

execute_process(
  COMMAND "${CARGO}" build --release --lib ${_cargo_args}
  WORKING_DIRECTORY "${CRATE_DIR}"
  RESULT_VARIABLE _rc)
if(NOT _rc EQUAL 0)
  message(FATAL_ERROR "mmarray: `cargo build --release` failed (${_rc})")
endif()

# The command-line tool (src/bin/mmarray, cargo feature `cli`, on by default).
if(CLI)
  execute_process(
    COMMAND "${CARGO}" build --release --bin mmarray ${_cargo_args}
    WORKING_DIRECTORY "${CRATE_DIR}"
    RESULT_VARIABLE _rc)
  if(NOT _rc EQUAL 0)
    message(FATAL_ERROR "mmarray: `cargo build --release --bin mmarray` failed (${_rc})")
  endif()
endif()

# Ask rustc which system libraries a program linking the staticlib needs. Cargo replays
# the cached note when the crate is already fresh, so this costs nothing on a rebuild.
execute_process(
  COMMAND "${CARGO}" rustc --release --lib ${_cargo_args} --crate-type staticlib
          -- --print native-static-libs
  WORKING_DIRECTORY "${CRATE_DIR}"
  RESULT_VARIABLE _rc
  OUTPUT_VARIABLE _out
  ERROR_VARIABLE _err)
if(NOT _rc EQUAL 0)
  message(FATAL_ERROR "mmarray: `cargo rustc --print native-static-libs` failed (${_rc}):\n${_err}")
endif()
string(REGEX MATCH "native-static-libs:[ \t]*([^\r\n]*)" _m "${_out}\n${_err}")
if(NOT _m)
  message(FATAL_ERROR "mmarray: rustc printed no native-static-libs note:\n${_err}")
endif()
string(STRIP "${CMAKE_MATCH_1}" _native_flags)       # e.g. "-lgcc_s -lutil -lrt -lpthread -lm -ldl -lc"
separate_arguments(_native_list UNIX_COMMAND "${_native_flags}")

# For CMake: "-lfoo" becomes the plain library name "foo"; anything else (e.g. macOS
# "-framework X") is passed through as a link flag.
set(_cmake_libs "")
foreach(_flag IN LISTS _native_list)
  if(_flag MATCHES "^-l(.+)$")
    list(APPEND _cmake_libs "${CMAKE_MATCH_1}")
  else()
    list(APPEND _cmake_libs "${_flag}")
  endif()
endforeach()

file(MAKE_DIRECTORY "${OUT_DIR}")
if(WINDOWS)
  set(_shared mmarray.dll libmmarray.dll.a)
  set(_tool mmarray.exe)
else()
  set(_shared libmmarray.so)
  set(_tool mmarray)
endif()
set(_need ${_shared} libmmarray.a)
if(CLI)
  list(APPEND _need ${_tool})
endif()
foreach(_f IN LISTS _need)
  if(NOT EXISTS "${_rel}/${_f}")
    message(FATAL_ERROR "mmarray: cargo did not produce ${_rel}/${_f}")
  endif()
endforeach()

if(WINDOWS)
  # No SONAME and no symlinks: the DLL and its import library as cargo made them.
  foreach(_f mmarray.dll libmmarray.dll.a)
    file(REMOVE "${OUT_DIR}/${_f}")
    file(COPY "${_rel}/${_f}" DESTINATION "${OUT_DIR}")
  endforeach()
else()
  # Real file + the two symlinks, laid out as they will be installed.
  file(REMOVE "${OUT_DIR}/${REALNAME}" "${OUT_DIR}/${SONAME}" "${OUT_DIR}/libmmarray.so")
  file(COPY "${_rel}/libmmarray.so" DESTINATION "${OUT_DIR}")
  file(RENAME "${OUT_DIR}/libmmarray.so" "${OUT_DIR}/${REALNAME}")
  file(CREATE_LINK "${REALNAME}" "${OUT_DIR}/${SONAME}" SYMBOLIC)
  file(CREATE_LINK "${SONAME}" "${OUT_DIR}/libmmarray.so" SYMBOLIC)
endif()
file(COPY "${_rel}/libmmarray.a" DESTINATION "${OUT_DIR}")
if(CLI)
  file(REMOVE "${OUT_DIR}/${_tool}")
  file(COPY "${_rel}/${_tool}" DESTINATION "${OUT_DIR}")
endif()

# Consumed by mmarrayConfig.cmake for mmarray::mmarray_static.
file(WRITE "${OUT_DIR}/mmarrayNativeLibs.cmake.tmp"
  "# Generated at build time from `rustc --print native-static-libs`.\n"
  "set(mmarray_NATIVE_STATIC_LIBS \"${_cmake_libs}\")\n")
configure_file("${OUT_DIR}/mmarrayNativeLibs.cmake.tmp" "${OUT_DIR}/mmarrayNativeLibs.cmake" COPYONLY)

set(MMARRAY_VERSION "${VERSION}")
# The .pc file finds the prefix relative to its own directory (${pcfiledir}), so the
# installed tree can be moved. Absolute LIBDIR/INCLUDEDIR values are used as they are.
if(IS_ABSOLUTE "${LIBDIR}")
  set(MMARRAY_PC_PREFIX "${PREFIX}")
  set(MMARRAY_PC_LIBDIR "${LIBDIR}")
else()
  file(RELATIVE_PATH _up "/root_/${LIBDIR}/pkgconfig" "/root_")
  string(REGEX REPLACE "/+$" "" _up "${_up}")
  set(MMARRAY_PC_PREFIX "\${pcfiledir}/${_up}")
  set(MMARRAY_PC_LIBDIR "\${prefix}/${LIBDIR}")
endif()
if(IS_ABSOLUTE "${INCLUDEDIR}")
  set(MMARRAY_PC_INCLUDEDIR "${INCLUDEDIR}")
else()
  set(MMARRAY_PC_INCLUDEDIR "\${prefix}/${INCLUDEDIR}")
endif()
set(MMARRAY_LIBS_PRIVATE "${_native_flags}")
configure_file("${PC_IN}" "${OUT_DIR}/mmarray.pc" @ONLY)

message(STATUS "mmarray ${VERSION}: native static libs: ${_native_flags}")
