# cmake -DBINARY=<exe> -P check_not_needed.cmake
# Fails if a binary linked against mmarray::mmarray_static still needs libmmarray.so.
find_program(READELF readelf)
if(NOT READELF)
  message(FATAL_ERROR "readelf not found (binutils)")
endif()
execute_process(COMMAND "${READELF}" -d "${BINARY}" OUTPUT_VARIABLE out RESULT_VARIABLE rc)
if(NOT rc EQUAL 0)
  message(FATAL_ERROR "readelf -d ${BINARY} failed")
endif()
if(out MATCHES "libmmarray")
  message(FATAL_ERROR "${BINARY} depends on a shared libmmarray:\n${out}")
endif()
message(STATUS "${BINARY}: no shared libmmarray dependency")
