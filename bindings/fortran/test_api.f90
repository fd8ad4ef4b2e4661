!> Test of the module's wrappers of the rest of the C API (issue 14): mm_describe_f,
!> mm_scalar_kind_f, mm_filename_f, record fields, open flags (mm_open_ex), descriptors
!> (mm_open_fd), errors (status text, errno, the copied message), version, and the OS
!> controls (flush_async, advise, resident, lock). Files numpy wrote (check_numpy.py):
!>   api_b.i4: int32 (2,3,4), order C; b[i,j,k] = 100*i + 10*j + k
!>   api_fd.i4: int32 0..5
!>   rec.npy: (3,) records [('x','<f8'), ('c','<i4',(2,3)), ('n','<i8')], x = 0.5, 1.5,
!>            2.5, c = arange(18), n = 0
!> numpy checks afterwards: api_describe.txt (what mm_describe_f reported, against numpy's
!> own attributes), api_pre.f8, api_fd.i4, rec.npy and api_c.f8.
program test_api
  use mmarray
  use, intrinsic :: iso_c_binding, only: c_char, c_int, c_ptr, c_null_char, c_null_ptr, &
    c_associated, c_loc, c_f_pointer, c_sizeof
  implicit none
  interface  ! a descriptor, as a C caller would hand one over
    function c_fopen(path, mode) bind(C, name="fopen")
      import :: c_char, c_ptr
      character(kind=c_char), intent(in) :: path(*), mode(*)
      type(c_ptr) :: c_fopen
    end function
    function c_fileno(fp) bind(C, name="fileno")
      import :: c_ptr, c_int
      type(c_ptr), value :: fp
      integer(c_int) :: c_fileno
    end function
    function c_fclose(fp) bind(C, name="fclose")
      import :: c_ptr, c_int
      type(c_ptr), value :: fp
      integer(c_int) :: c_fclose
    end function
  end interface
  character(len=4096) :: arg
  character(len=:), allocatable :: dir
  integer :: failures, report_unit

  failures = 0
  call get_command_argument(1, arg)
  if (len_trim(arg) == 0) error stop "usage: test_api DIR"
  dir = trim(arg)
  open(newunit=report_unit, file=dir // "/api_describe.txt", status="replace", action="write")
  call test_describe()
  call test_scalar_kind()
  call test_fields()
  call test_open_flags()
  call test_open_fd()
  call test_errors()
  call test_version()
  call test_controls()
  close(report_unit)
  if (int(mm_handle_count()) /= 0) then
    print "(a,i0)", "CHECK failed: handles left open: ", mm_handle_count()
    failures = failures + 1
  end if
  if (failures /= 0) error stop "test_api: checks failed"
  print "(a)", "test_api (Fortran): all checks passed"

contains

  !> mm_describe_f of a C-order array and of a reversed view of it: every field, exact;
  !> the same values go to api_describe.txt for numpy to compare with its own.
  subroutine test_describe()
    type(mm_array_f) :: b, v, closed
    type(mm_info_f) :: info
    type(mm_info) :: raw
    integer :: st
    character(len=512) :: m
    call expect(c_sizeof(raw) == 1088, "mm_info is 1088 bytes, as the C struct")
    b = mm_open_f(dir // "/api_b.i4", "<i4", "r", shape=[2, 3, 4])
    info = mm_describe_f(b)
    call expect(c_associated(info%data, mm_data(b%h)), "describe: data")
    call expect(info%ndim == 3 .and. info%itemsize == 4 .and. info%size == 24 .and. &
                info%nbytes == 96 .and. info%offset == 0, "describe: ndim, sizes, offset")
    call expect(info%flags == ior(ior(MM_C_CONTIGUOUS, MM_ALIGNED), MM_NATIVE_ORDER), &
                "describe: flags of a C-order array in mode r")
    call expect(info%scalar_kind == MM_SCALAR_INT32 .and. info%mode == "r" .and. &
                info%dtype == "<i4", "describe: kind, mode, dtype")
    call expect(all(info%shape == [2, 3, 4]) .and. all(info%strides == [48, 16, 4]), &
                "describe: numpy's shape and strides, axis 1 first")
    call put("b", info)
    v = mm_slice_f(b, 2, step=-1)  ! numpy's b[:, ::-1, :]
    info = mm_describe_f(v)
    call expect(all(info%shape == [2, 3, 4]) .and. all(info%strides == [48, -16, 4]), &
                "describe: reversed axis 2")
    call expect(info%flags == ior(MM_ALIGNED, MM_NATIVE_ORDER), "describe: not contiguous")
    call expect(c_associated(info%data, offset_ptr(mm_data(b%h), 32)), "describe: data of the view")
    call put("v", info)
    call mm_close_f(v)
    closed = b
    call mm_close_f(b)
    info = mm_describe_f(closed, stat=st, errmsg=m)
    call expect(st == MM_E_BAD_HANDLE .and. info%ndim == 0 .and. size(info%shape) == 0 .and. &
                info%dtype == "" .and. .not. c_associated(info%data), "describe: a closed handle")
    call expect(index(m, "mm_describe") > 0, "describe: message " // trim(m))
    call expect(size(mm_shape_f(closed)) == 0 .and. mm_dtype_f(closed) == "" .and. &
                mm_mode_f(closed) == "", "getters of a closed handle are empty")
  end subroutine

  !> One line per field of info in api_describe.txt: "<name>.<field> values".
  subroutine put(name, info)
    character(len=*), intent(in) :: name
    type(mm_info_f), intent(in) :: info
    write(report_unit, "(a,*(1x,i0))") name // ".shape", info%shape
    write(report_unit, "(a,*(1x,i0))") name // ".strides", info%strides
    write(report_unit, "(a,*(1x,i0))") name // ".sizes", info%itemsize, info%size, info%nbytes, &
      info%offset, info%flags
    write(report_unit, "(a)") name // ".dtype " // info%dtype
  end subroutine

  !> The address p + n bytes.
  function offset_ptr(p, n) result(q)
    type(c_ptr), intent(in) :: p
    integer, intent(in) :: n
    type(c_ptr) :: q
    character(kind=c_char), pointer :: bytes(:)
    call c_f_pointer(p, bytes, [n + 1])
    q = c_loc(bytes(n + 1))
  end function

  !> mm_scalar_kind's answers for dtype texts and names (numpy's rules are the
  !> library's, not the module's).
  subroutine test_scalar_kind()
    character(len=8), parameter :: dtypes(14) = [character(len=8) :: "<f8", "float64", &
      "d", ">f8", "<i4", "long", "|b1", "<u2", "u1", "<c8", "<f2", "S3", "<M8[ns]", "<c16"]
    integer, parameter :: want(14) = [MM_SCALAR_FLOAT64, MM_SCALAR_FLOAT64, MM_SCALAR_FLOAT64, &
      MM_SCALAR_OTHER, MM_SCALAR_INT32, MM_SCALAR_INT64, MM_SCALAR_BOOL, MM_SCALAR_UINT16, &
      MM_SCALAR_UINT8, MM_SCALAR_COMPLEX64, MM_SCALAR_FLOAT16, MM_SCALAR_OTHER, &
      MM_SCALAR_OTHER, MM_SCALAR_COMPLEX128]
    type(mm_array_f) :: a
    type(mm_info_f) :: info
    real(c_double), pointer :: x(:)
    integer :: i, st
    do i = 1, size(dtypes)
      a = mm_open_f(dir // "/kind.bin", trim(dtypes(i)), "w+", shape=[2])
      info = mm_describe_f(a)
      call expect(mm_scalar_kind_f(a) == want(i) .and. info%scalar_kind == want(i), &
                  "mm_scalar_kind of " // trim(dtypes(i)))
      if (want(i) == MM_SCALAR_FLOAT64) then  ! every spelling of float64 takes the pointer
        call mm_pointer(a, x, stat=st)
        call expect(st == MM_OK .and. size(x) == 2, "float64 pointer on " // trim(dtypes(i)))
      else if (trim(dtypes(i)) == ">f8") then  ! a non-native float64 does not
        call mm_pointer(a, x, stat=st)
        call expect(st == MM_E_INVALID_ARG .and. .not. associated(x), "pointer on >f8")
      end if
      call mm_close_f(a)
    end do
    call expect(mm_scalar_kind_f(a) == -1 .and. mm_scalar_kind(0_c_int64_t) == -1, &
                "mm_scalar_kind of a closed handle and of 0")
  end subroutine

  !> rec.npy's fields: names, dtypes, offsets, subarray shapes (numpy's dtype.fields);
  !> field views as numpy's rec[name] (numpy compares rec['c']'s geometry); field n
  !> written through one (numpy checks it), fields x and c read through others.
  subroutine test_fields()
    type(mm_array_f) :: r, nv, xv, cv, plain, bad
    type(mm_field_info_f) :: f
    type(mm_info_f) :: info
    integer(c_int64_t), target :: nvals(3)
    real(c_double), target :: xvals(3)
    integer(c_int32_t), target :: cval
    integer :: k, i, j, st
    character(len=512) :: m
    r = mm_open_npy_f(dir // "/rec.npy", "r+")
    call expect(mm_field_count_f(r) == 3, "three fields")
    info = mm_describe_f(r)
    call expect(info%itemsize == 40 .and. info%scalar_kind == MM_SCALAR_OTHER, "record itemsize")
    write(report_unit, "(a)") "rec.dtype " // info%dtype  ! numpy: str(dtype.descr)
    f = mm_field_f(r, 1)
    call expect(f%name == "x" .and. f%dtype == "<f8" .and. f%byte_offset == 0 .and. &
                size(f%shape) == 0, "field 1: x")
    f = mm_field_f(r, 2_c_int64_t)
    call expect(f%name == "c" .and. f%dtype == "<i4" .and. f%byte_offset == 8 .and. &
                all(f%shape == [2, 3]), "field 2: c, a (2, 3) subarray")
    f = mm_field_f(r, 3_c_int8_t)
    call expect(f%name == "n" .and. f%dtype == "<i8" .and. f%byte_offset == 32 .and. &
                size(f%shape) == 0, "field 3: n")
    ! The pattern mm_field_f documents: a plain field through mm_view_f.
    nv = mm_view_f(r, info%shape, byte_offset=f%byte_offset, strides=info%strides, dtype=f%dtype)
    info = mm_describe_f(nv)
    call expect(all(info%strides == [40]) .and. info%dtype == "<i8", "mm_view_f of field n")
    call mm_close_f(nv)
    ! numpy's rec["x"], rec[3rd field], rec["c"].
    xv = mm_field_view_f(r, "x")
    nv = mm_field_view_f(r, 3)
    cv = mm_field_view_f(r, "c")
    info = mm_describe_f(nv)
    call expect(all(info%shape == [3]) .and. all(info%strides == [40]) .and. &
                info%dtype == "<i8", "field view n")
    info = mm_describe_f(cv)
    call expect(all(info%shape == [3, 2, 3]) .and. all(info%strides == [40, 12, 4]) .and. &
                info%dtype == "<i4" .and. info%nbytes == 72, "field view c: the subarray's axes")
    call put("recc", info)
    do k = 1, 3
      do i = 1, 2
        do j = 1, 3
          call expect(mm_read_at(cv%h, int(40 * (k - 1) + 12 * (i - 1) + 4 * (j - 1), c_int64_t), &
                                 c_loc(cval), 4_c_size_t) == MM_OK, "read field c")
          call expect(cval == 6 * (k - 1) + 3 * (i - 1) + (j - 1), "value of field c")
        end do
      end do
    end do
    nvals = [7, -8, 9]
    do k = 1, 3
      call expect(mm_write_at(nv%h, int(40 * (k - 1), c_int64_t), c_loc(nvals(k)), 8_c_size_t) &
                  == MM_OK, "write field n")
      call expect(mm_read_at(xv%h, int(40 * (k - 1), c_int64_t), c_loc(xvals(k)), 8_c_size_t) &
                  == MM_OK, "read field x")
    end do
    call expect(all(xvals == [0.5d0, 1.5d0, 2.5d0]), "values of field x")
    call mm_flush_f(nv)
    call mm_close_f(nv)
    call mm_close_f(xv)
    call mm_close_f(cv)
    ! Errors.
    f = mm_field_f(r, 4, stat=st, errmsg=m)
    call expect(st == MM_E_INVALID_ARG .and. f%name == "" .and. trim(m) == &
                "mm_field_f: field 4 of an array with 3 fields (fields count from 1)", &
                "field 4: " // trim(m))
    f = mm_field_f(r, 0, stat=st)
    call expect(st == MM_E_INVALID_ARG, "field 0")
    f = mm_field_f(r, 1.0, stat=st, errmsg=m)
    call expect(st == MM_E_INVALID_ARG .and. trim(m) == "mm_field_f: i must be an integer", &
                "a real field index: " // trim(m))
    bad = mm_field_view_f(r, "zz", stat=st, errmsg=m)
    call expect(st == MM_E_INVALID_ARG .and. bad%h == 0 .and. trim(m) == &
                "mm_field_view_f: no field named 'zz' (the fields: x, c, n)", "field zz: " // trim(m))
    bad = mm_field_view_f(r, 4_c_int16_t, stat=st, errmsg=m)
    call expect(st == MM_E_INVALID_ARG .and. bad%h == 0 .and. index(m, "mm_field_f: field 4") == 1, &
                "field view 4: " // trim(m))
    plain = mm_view_f(r, [3], dtype="<f8", strides=[40])  ! not a record
    call expect(mm_field_count_f(plain) == 0, "no fields in a <f8 view")
    bad = mm_field_view_f(plain, "x", stat=st, errmsg=m)
    call expect(st == MM_E_INVALID_ARG .and. trim(m) == &
                "mm_field_view_f: no field named 'x' (the fields: none)", "no fields: " // trim(m))
    call mm_close_f(plain)
    call mm_close_f(r)
    f = mm_field_f(r, 1, stat=st)
    call expect(st == MM_E_BAD_HANDLE .and. mm_field_count_f(r) == 0, "fields of a closed handle")
    bad = mm_field_view_f(r, "x", stat=st)
    call expect(st == MM_E_BAD_HANDLE .and. bad%h == 0, "field view of a closed handle")
  end subroutine

  !> mm_open_f's flags (mm_open_ex): PREALLOCATE reserves the file's blocks (numpy checks
  !> api_pre.f8), POPULATE maps every page in, unknown bits are refused.
  subroutine test_open_flags()
    type(mm_array_f) :: a
    real(c_double), pointer :: x(:)
    integer(c_int64_t) :: bytes
    integer :: i, st
    character(len=512) :: m
    a = mm_open_f(dir // "/api_pre.f8", "<f8", "w+", shape=[1024], &
                  flags=ior(MM_OPEN_PREALLOCATE, MM_OPEN_POPULATE))
    call mm_pointer(a, x)
    x = [(real(i, c_double), i = 1, 1024)]
    call mm_flush_f(a)
    call mm_close_f(a)
    inquire(file=dir // "/api_pre.f8", size=bytes)
    call expect(bytes == 8192, "PREALLOCATE: 8192 bytes")
    a = mm_open_f(dir // "/api_pre.f8", "<f8", "r", flags=MM_OPEN_POPULATE)
    call expect(mm_resident_f(a) == 8192, "POPULATE: every byte resident")
    call mm_close_f(a)
    a = mm_open_f(dir // "/api_pre.f8", "<f8", "r", flags=4, stat=st, errmsg=m)
    call expect(st == MM_E_INVALID_ARG .and. a%h == 0 .and. index(m, "mm_open_ex") == 1, &
                "unknown flag bit 4: " // trim(m))
    a = mm_open_f(dir // "/api_pre.f8", "<f8", "r", flags=-1_c_int64_t, stat=st, errmsg=m)
    call expect(st == MM_E_INVALID_ARG .and. trim(m) == &
                "mm_open_f: flags -1 has bits no MM_OPEN_* flag uses", "flags -1: " // trim(m))
    a = mm_open_f(dir // "/missing.f8", "<f8", "r", flags=MM_OPEN_POPULATE, stat=st)
    call expect(st == MM_E_NOT_FOUND .and. mm_last_os_error() == 2, "flags: missing file, ENOENT")
  end subroutine

  !> mm_open_fd_f on descriptors from C's fopen: read api_b.i4 through a read-only one,
  !> refuse r+ on it, write api_fd.i4 through a read-write one (numpy checks it).
  subroutine test_open_fd()
    type(c_ptr) :: fp
    type(mm_array_f) :: a
    integer(c_int32_t) :: v(24)
    integer(c_int32_t), pointer :: p(:)
    integer :: i, j, k, st
    character(len=512) :: m
    character(len=:), allocatable :: name
    fp = c_fopen(dir // "/api_b.i4" // c_null_char, "r" // c_null_char)
    call expect(c_associated(fp), "fopen api_b.i4")
    a = mm_open_fd_f(c_fileno(fp), "<i4", "r", shape=[2, 3, 4])
    call mm_get_f(a, v)  ! memory order: C
    do i = 1, 2
      do j = 1, 3
        do k = 1, 4
          call expect(v(k + 4 * (j - 1) + 12 * (i - 1)) == 100 * (i - 1) + 10 * (j - 1) + (k - 1), &
                      "value through a descriptor")
        end do
      end do
    end do
    name = mm_filename_f(a, stat=st)
    call expect(st == MM_OK .and. name == "", "mm_filename_f of an fd array is empty")
    call mm_close_f(a)
    a = mm_open_fd_f(int(c_fileno(fp), c_int64_t), "<i4", "r+", shape=[2], stat=st, errmsg=m)
    call expect(st == MM_E_PERMISSION .and. a%h == 0 .and. mm_last_os_error() == 13 .and. &
                index(m, "O_RDWR") > 0, "r+ on a read-only descriptor, EACCES: " // trim(m))
    call expect(c_fclose(fp) == 0, "fclose")
    a = mm_open_fd_f(-1, "<i4", "r", stat=st)
    call expect(st == MM_E_INVALID_ARG, "fd -1")
    a = mm_open_fd_f(huge(1_c_int64_t), "<i4", "r", stat=st)
    call expect(st == MM_E_INVALID_ARG, "an fd beyond C's int")
    ! r+ through a read-write descriptor, from byte 8: elements 2..5 times 10.
    fp = c_fopen(dir // "/api_fd.i4" // c_null_char, "r+" // c_null_char)
    a = mm_open_fd_f(c_fileno(fp), "<i4", "r+", shape=[4], offset=8)
    call expect(c_fclose(fp) == 0, "fclose while mapped (the mapping keeps no descriptor)")
    call mm_pointer(a, p)
    call expect(all(p == [2, 3, 4, 5]), "values from byte 8")
    p = 10 * p
    call mm_flush_f(a)
    call mm_close_f(a)
    a = mm_open_f(dir // "/api_b.i4", "<i4", "r")
    name = mm_filename_f(a)
    call expect(name(1:1) == "/" .and. index(name, "/api_b.i4", back=.true.) == len(name) - 8, &
                "mm_filename_f: absolute path " // name)
    if (dir(1:1) == "/") call expect(name == dir // "/api_b.i4", "mm_filename_f: " // name)
    call mm_close_f(a)
    name = mm_filename_f(a, stat=st)
    call expect(st == MM_E_BAD_HANDLE .and. name == "", "mm_filename_f of a closed handle")
  end subroutine

  !> Status texts, errno, and the message copied out (mm_last_error_copy).
  subroutine test_errors()
    type(mm_array_f) :: a
    integer :: st
    character(len=512) :: m
    character(kind=c_char), target :: small(5)
    integer(c_size_t) :: need
    call expect(mm_status_str_f(MM_OK) == "success", "text of MM_OK")
    call expect(mm_status_str_f(MM_E_INVALID_ARG) == "invalid argument", "text 1")
    call expect(mm_status_str_f(MM_E_NOT_FOUND) == "file not found", "text 2")
    call expect(mm_status_str_f(MM_E_PERMISSION) == "permission denied", "text 3")
    call expect(mm_status_str_f(MM_E_IO) == "I/O error", "text 4")
    call expect(mm_status_str_f(MM_E_FILE_TOO_SMALL) == "file too small", "text 5")
    call expect(mm_status_str_f(MM_E_SIZE_MISMATCH) == &
                "file size is not a multiple of the itemsize", "text 6")
    call expect(mm_status_str_f(MM_E_READ_ONLY) == "array is read-only", "text 7")
    call expect(mm_status_str_f(MM_E_FORMAT) == "malformed file header", "text 8")
    call expect(mm_status_str_f(MM_E_UNSUPPORTED) == "unsupported", "text 9")
    call expect(mm_status_str_f(MM_E_BAD_HANDLE) == "bad handle (0, closed or never issued)", &
                "text 10")
    call expect(mm_status_str_f(MM_E_OUT_OF_BOUNDS) == "out of bounds", "text 11")
    call expect(mm_status_str_f(MM_E_PANIC) == "internal error", "text 99")
    call expect(mm_status_str_f(12) == "unknown status" .and. &
                mm_status_str_f(2_c_int8_t) == "file not found" .and. &
                mm_status_str_f(huge(1_c_int64_t)) == "unknown status", "other values and kinds")
    a = mm_open_f(dir // "/missing.f8", "<f8", "r", stat=st, errmsg=m)
    call expect(st == MM_E_NOT_FOUND .and. mm_last_os_error() == 2, "missing file: ENOENT")
    call expect(mm_last_error_f() == trim(m) .and. index(m, "missing.f8") > 0, &
                "the copied message: " // mm_last_error_f())
    ! snprintf-like: the length with its NUL, the text cut to cap - 1 bytes.
    need = mm_last_error_copy(c_loc(small), 5_c_size_t)
    call expect(need == len_trim(m) + 1, "mm_last_error_copy: the length it needs")
    call expect(all(small(1:4) == transfer(m(1:4), small(1:4))) .and. small(5) == c_null_char, &
                "mm_last_error_copy: cut short, NUL-terminated")
  end subroutine

  !> The library's version is the one the module was written for.
  subroutine test_version()
    character(len=32) :: text
    write(text, "(i0,'.',i0,'.',i0)") MM_VERSION_MAJOR, MM_VERSION_MINOR, MM_VERSION_PATCH
    call expect(mm_version_string_f() == trim(text), "mm_version_string: " // mm_version_string_f())
    call expect(mm_version() == MM_VERSION_MAJOR * 10000 + MM_VERSION_MINOR * 100 + &
                MM_VERSION_PATCH, "mm_version")
  end subroutine

  !> flush_async, advice, residency and locking on a 2-page array; mode c's DONTNEED
  !> drops a private change (numpy checks api_c.f8 is unchanged); a closed handle.
  subroutine test_controls()
    type(mm_array_f) :: a, e, c
    real(c_double), pointer :: x(:)
    integer :: i, st
    integer(c_int64_t) :: bytes
    character(len=512) :: m
    a = mm_open_f(dir // "/api_c.f8", "<f8", "w+", shape=[1024])
    call mm_pointer(a, x)
    x = 1.25d0
    call mm_flush_async_f(a)
    call mm_flush_f(a)
    do i = MM_ADVICE_NORMAL, MM_ADVICE_WILLNEED
      call mm_advise_f(a, i, stat=st)
      call expect(st == MM_OK, "advice " // mm_status_str_f(st))
    end do
    call mm_advise_f(a, MM_ADVICE_POPULATE_READ, stat=st)
    if (st == MM_E_UNSUPPORTED) then  ! the library refuses what the kernel lacks
      print "(a)", "note: this kernel has no MADV_POPULATE_READ (Linux < 5.14): not checked"
    else
      call expect(st == MM_OK .and. mm_resident_f(a) == 8192, "POPULATE_READ: resident")
    end if
    call mm_advise_f(a, 99_c_int64_t, stat=st, errmsg=m)
    call expect(st == MM_E_INVALID_ARG .and. index(m, "mm_advise") == 1, "advice 99: " // trim(m))
    call mm_advise_f(a, 2.0, stat=st, errmsg=m)
    call expect(st == MM_E_INVALID_ARG .and. trim(m) == "mm_advise_f: advice must be an integer", &
                "a real advice: " // trim(m))
    call mm_lock_f(a)
    bytes = mm_resident_f(a)
    call expect(bytes == 8192, "locked: every byte resident")
    call mm_unlock_f(a)
    e = mm_slice_f(a, 1, 5, 4)  ! an empty view: every control is MM_OK and does nothing
    call expect(mm_resident_f(e) == 0, "resident bytes of an empty view")
    call mm_lock_f(e)
    call mm_unlock_f(e)
    call mm_close_f(e)
    call mm_close_f(a)
    ! Mode c: a private change, dropped by DONTNEED (the page is read from the file again).
    c = mm_open_f(dir // "/api_c.f8", "<f8", "c")
    call mm_pointer(c, x)
    x(1) = 99
    call mm_advise_f(c, MM_ADVICE_DONTNEED)
    call expect(x(1) == 1.25d0, "DONTNEED in mode c drops the private change")
    call mm_close_f(c)
    c = mm_open_f(dir // "/api_c.f8", "<f8", "r")
    call mm_advise_f(c, MM_ADVICE_POPULATE_WRITE, stat=st)
    call expect(st == MM_E_READ_ONLY, "POPULATE_WRITE in mode r")
    call mm_close_f(c)
    ! A closed handle.
    call mm_flush_async_f(c, stat=st)
    call expect(st == MM_E_BAD_HANDLE, "flush_async of a closed handle")
    call mm_advise_f(c, MM_ADVICE_NORMAL, stat=st)
    call expect(st == MM_E_BAD_HANDLE, "advise of a closed handle")
    bytes = mm_resident_f(c, stat=st)
    call expect(st == MM_E_BAD_HANDLE .and. bytes == 0, "resident of a closed handle")
    call mm_lock_f(c, stat=st)
    call expect(st == MM_E_BAD_HANDLE, "lock of a closed handle")
    call mm_unlock_f(c, stat=st)
    call expect(st == MM_E_BAD_HANDLE, "unlock of a closed handle")
  end subroutine

  subroutine expect(ok, what)
    logical, intent(in) :: ok
    character(len=*), intent(in) :: what
    if (.not. ok) then
      print "(2a)", "CHECK failed: ", what
      failures = failures + 1
    end if
  end subroutine

end program test_api
