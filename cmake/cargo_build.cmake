# Build step of the packaging project, run with `cmake -P` at build time (never at
# configure time). Inputs (all -D): CARGO CRATE_DIR TARGET_DIR LOCKED OUT_DIR SONAME
# REALNAME VERSION LIBDIR INCLUDEDIR PC_IN.
cmake_minimum_required(VERSION 3.16)

set(_locked "")
if(LOCKED)
  set(_locked --locked)
endif()

set(ENV{CARGO_TARGET_DIR} "${TARGET_DIR}")

execute_process(
  COMMAND "${CARGO}" build --release --lib ${_locked}
  WORKING_DIRECTORY "${CRATE_DIR}"
  RESULT_VARIABLE _rc)
if(NOT _rc EQUAL 0)
  message(FATAL_ERROR "mmarray: `cargo build --release` failed (${_rc})")
endif()

# The command-line tool (src/bin/mmarray, cargo feature `cli`, on by default).
execute_process(
  COMMAND "${CARGO}" build --release --bin mmarray ${_locked}
  WORKING_DIRECTORY "${CRATE_DIR}"
  RESULT_VARIABLE _rc)
if(NOT _rc EQUAL 0)
  message(FATAL_ERROR "mmarray: `cargo build --release --bin mmarray` failed (${_rc})")
endif()

# Ask rustc which system libraries a program linking the staticlib needs. Cargo replays
# the cached note when the crate is already fresh, so this costs nothing on a rebuild.
execute_process(
  COMMAND "${CARGO}" rustc --release --lib ${_locked} --crate-type staticlib
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
set(_rel "${TARGET_DIR}/release")
foreach(_f libmmarray.so libmmarray.a mmarray)
  if(NOT EXISTS "${_rel}/${_f}")
    message(FATAL_ERROR "mmarray: cargo did not produce ${_rel}/${_f}")
  endif()
endforeach()

# Real file + the two symlinks, laid out as they will be installed.
file(REMOVE "${OUT_DIR}/${REALNAME}" "${OUT_DIR}/${SONAME}" "${OUT_DIR}/libmmarray.so")
file(COPY "${_rel}/libmmarray.so" DESTINATION "${OUT_DIR}")
file(RENAME "${OUT_DIR}/libmmarray.so" "${OUT_DIR}/${REALNAME}")
file(CREATE_LINK "${REALNAME}" "${OUT_DIR}/${SONAME}" SYMBOLIC)
file(CREATE_LINK "${SONAME}" "${OUT_DIR}/libmmarray.so" SYMBOLIC)
file(COPY "${_rel}/libmmarray.a" DESTINATION "${OUT_DIR}")
file(REMOVE "${OUT_DIR}/mmarray")
file(COPY "${_rel}/mmarray" DESTINATION "${OUT_DIR}")

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
