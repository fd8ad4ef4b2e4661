//! Zero-copy export to the tensor ecosystem: DLPack 1.x `DLManagedTensorVersioned`.
//!
//! The structs below have the memory layout the DLPack 1.x specification gives its
//! `DLPackVersion`, `DLDevice`, `DLDataType`, `DLTensor` and
//! `DLManagedTensorVersioned`, under `mm_dl_*` names so that the header can be included
//! next to `dlpack.h` without clashing. A pointer to `mm_dl_managed_tensor_versioned`
//! can be passed wherever a `DLManagedTensorVersioned *` is expected.
//!
//! The exported tensor holds its own reference to the mapping: the file stays mapped
//! until the consumer calls the deleter, even after every handle of it has been closed.

use std::ffi::c_void;
use std::panic::{self, AssertUnwindSafe};

use super::args::out_arg;
use super::boundary::{guard, Fail};
use super::handles::with_entry;
use super::status::*;
use crate::view::View;

/// DLPack ABI version this library produces (major; consumers check it).
pub const MM_DLPACK_MAJOR_VERSION: u32 = 1;
/// DLPack ABI version this library produces (minor).
pub const MM_DLPACK_MINOR_VERSION: u32 = 0;

/// mm_dl_managed_tensor_versioned.flags bit: the tensor must not be written to (the
/// array was opened in mode "r"). DLPack's DLPACK_FLAG_BITMASK_READ_ONLY.
pub const MM_DLPACK_FLAG_READ_ONLY: u64 = 1;
/// mm_dl_managed_tensor_versioned.flags bit: the data was copied (never set by
/// mmarray: the tensor aliases the mapping). DLPack's DLPACK_FLAG_BITMASK_IS_COPIED.
pub const MM_DLPACK_FLAG_IS_COPIED: u64 = 2;

/// DLPack device type of host memory (kDLCPU).
pub const MM_DL_CPU: i32 = 1;

/// DLPack type code: signed integer (kDLInt).
pub const MM_DL_INT: u8 = 0;
/// DLPack type code: unsigned integer (kDLUInt).
pub const MM_DL_UINT: u8 = 1;
/// DLPack type code: IEEE floating point (kDLFloat).
pub const MM_DL_FLOAT: u8 = 2;
/// DLPack type code: complex of two IEEE floats (kDLComplex).
pub const MM_DL_COMPLEX: u8 = 5;
/// DLPack type code: boolean (kDLBool).
pub const MM_DL_BOOL: u8 = 6;

/// DLPack's DLPackVersion.
#[repr(C)]
#[derive(Debug, Clone, Copy)]
pub struct mm_dl_pack_version {
    /// Major version; a consumer must reject a major version it does not know.
    pub major: u32,
    /// Minor version.
    pub minor: u32,
}

/// DLPack's DLDevice.
#[repr(C)]
#[derive(Debug, Clone, Copy)]
pub struct mm_dl_device {
    /// Device type (DLDeviceType, a C enum); always MM_DL_CPU here.
    pub device_type: i32,
    /// Device number; 0 for host memory.
    pub device_id: i32,
}

/// DLPack's DLDataType.
#[repr(C)]
#[derive(Debug, Clone, Copy)]
pub struct mm_dl_data_type {
    /// Type code: MM_DL_INT, MM_DL_UINT, MM_DL_FLOAT, MM_DL_COMPLEX or MM_DL_BOOL.
    pub code: u8,
    /// Bits of one lane (8 * itemsize).
    pub bits: u8,
    /// Number of lanes; always 1.
    pub lanes: u16,
}

/// DLPack's DLTensor.
#[repr(C)]
#[derive(Debug)]
pub struct mm_dl_tensor {
    /// 256-byte-aligned base address; the first element is at data + byte_offset.
    pub data: *mut c_void,
    /// Where the data lives: host memory.
    pub device: mm_dl_device,
    /// Number of dimensions.
    pub ndim: i32,
    /// Element type.
    pub dtype: mm_dl_data_type,
    /// `ndim` dimensions.
    pub shape: *mut i64,
    /// `ndim` strides in ELEMENTS (not bytes); never NULL.
    pub strides: *mut i64,
    /// Offset in bytes from `data` to the first element.
    pub byte_offset: u64,
}

/// DLPack's DLManagedTensorVersioned, as mm_to_dlpack returns it.
#[repr(C)]
#[derive(Debug)]
pub struct mm_dl_managed_tensor_versioned {
    /// DLPack ABI version of this struct: {MM_DLPACK_MAJOR_VERSION, MM_DLPACK_MINOR_VERSION}.
    pub version: mm_dl_pack_version,
    /// Owned by mmarray (the reference to the mapping); do not touch.
    pub manager_ctx: *mut c_void,
    /// Releases the tensor and its reference to the mapping: call it exactly once, with
    /// this struct as its argument, from any thread. The argument is declared `void *`
    /// (DLPack declares it as a pointer to this struct; the ABI is the same).
    pub deleter: Option<unsafe extern "C" fn(tensor: *mut c_void)>,
    /// MM_DLPACK_FLAG_READ_ONLY for arrays opened in mode "r".
    pub flags: u64,
    /// The tensor itself.
    pub dl_tensor: mm_dl_tensor,
}

/// The allocation behind one exported tensor; the DLPack struct comes first so that a
/// pointer to it is a pointer to the whole.
#[repr(C)]
#[derive(Debug)]
struct Export {
    tensor: mm_dl_managed_tensor_versioned,
    shape: Box<[i64]>,
    strides: Box<[i64]>,
    /// Keeps the mapping alive until the deleter runs.
    _view: View,
}

/// The deleter: frees the export built by `export`. Safe to call from any thread.
unsafe extern "C" fn delete_export(tensor: *mut c_void) {
    if tensor.is_null() {
        return;
    }
    // A panic must never unwind into the consumer's code.
    let _ = panic::catch_unwind(AssertUnwindSafe(|| {
        // SAFETY: `tensor` is the pointer mm_to_dlpack returned (a leaked Box<Export>),
        // and DLPack's contract is that the deleter is called once.
        drop(unsafe { Box::from_raw(tensor.cast::<Export>()) });
    }));
}

/// The DLPack element type of `view`, or why it has none.
fn dl_type(view: &View) -> Result<mm_dl_data_type, String> {
    let dtype = view.dtype();
    let itemsize = dtype.itemsize();
    let code = match (dtype.kind(), itemsize) {
        ('b', 1) => MM_DL_BOOL,
        ('i', 1 | 2 | 4 | 8) => MM_DL_INT,
        ('u', 1 | 2 | 4 | 8) => MM_DL_UINT,
        ('f', 2 | 4 | 8) => MM_DL_FLOAT,
        ('c', 8 | 16) => MM_DL_COMPLEX,
        _ => {
            return Err(format!(
                "dtype {} has no DLPack equivalent (DLPack has bool, int, uint, float16/32/64 and complex64/128)",
                dtype.typestr()
            ))
        }
    };
    if !dtype.is_native() {
        return Err(format!(
            "dtype {} is not in the machine's byte order; DLPack tensors always are",
            dtype.typestr()
        ));
    }
    Ok(mm_dl_data_type {
        code,
        bits: (itemsize * 8) as u8,
        lanes: 1,
    })
}

/// Builds the export for `view` (a clone, sharing the mapping).
fn export(view: &View) -> Result<Box<Export>, String> {
    let dtype = dl_type(view)?;
    let itemsize = view.itemsize() as i64;
    let mut strides = Vec::with_capacity(view.strides().len());
    for (axis, &s) in view.strides().iter().enumerate() {
        if s % itemsize != 0 {
            return Err(format!(
                "byte stride {s} of axis {axis} is not a multiple of itemsize {itemsize}; DLPack strides count elements"
            ));
        }
        strides.push(s / itemsize);
    }
    let shape: Box<[i64]> = view
        .shape()
        .iter()
        .map(|&d| i64::try_from(d).map_err(|_| format!("dimension {d} exceeds int64")))
        .collect::<Result<_, _>>()?;
    let ndim = i32::try_from(shape.len()).map_err(|_| "too many dimensions".to_string())?;
    let first = view.data_ptr();
    // The specification asks for a 256-byte-aligned `data` with the rest in byte_offset.
    // The rounded-down address lies in the same (page-aligned) mapping. A view without
    // elements has a dangling pointer that is passed as is.
    let (data, byte_offset) = if view.size() == 0 {
        (first, 0)
    } else {
        let rem = first as usize % 256;
        (first.wrapping_sub(rem), rem as u64)
    };
    let mut out = Box::new(Export {
        tensor: mm_dl_managed_tensor_versioned {
            version: mm_dl_pack_version {
                major: MM_DLPACK_MAJOR_VERSION,
                minor: MM_DLPACK_MINOR_VERSION,
            },
            manager_ctx: std::ptr::null_mut(),
            deleter: Some(delete_export),
            flags: if view.mode().writeable() {
                0
            } else {
                MM_DLPACK_FLAG_READ_ONLY
            },
            dl_tensor: mm_dl_tensor {
                data: data.cast(),
                device: mm_dl_device {
                    device_type: MM_DL_CPU,
                    device_id: 0,
                },
                ndim,
                dtype,
                shape: std::ptr::null_mut(),
                strides: std::ptr::null_mut(),
                byte_offset,
            },
        },
        shape,
        strides: strides.into(),
        _view: view.clone(),
    });
    // The boxed slices do not move when `out` does; point at them after the fact.
    out.tensor.dl_tensor.shape = out.shape.as_mut_ptr();
    out.tensor.dl_tensor.strides = out.strides.as_mut_ptr();
    let ctx: *mut Export = &mut *out;
    out.tensor.manager_ctx = ctx.cast();
    Ok(out)
}

/// Exports the view as a DLPack 1.x tensor without copying.
///
/// The tensor holds its own reference to the mapping: it stays valid after mm_close of
/// every handle, until its `deleter` is called (exactly once, from any thread). `data` is
/// 256-byte aligned with the first element at `data + byte_offset`; strides count
/// elements; the device is the CPU. Arrays opened in mode "r" carry
/// MM_DLPACK_FLAG_READ_ONLY. To hand it to Python, wrap it in a PyCapsule named
/// "dltensor_versioned".
///
/// \param a                             the handle.
/// \param out_managed_tensor_versioned  receives a `DLManagedTensorVersioned *` (layout:
///                                      mm_dl_managed_tensor_versioned); NULL on failure.
/// \return MM_OK, or: MM_E_BAD_HANDLE; MM_E_INVALID_ARG when the out-pointer is NULL;
///         MM_E_UNSUPPORTED for a dtype DLPack lacks (S, U, V, M, m, records, long
///         double), a non-native byte order, or a byte stride that is not a multiple of
///         the itemsize.
///
/// # Safety
/// `out_managed_tensor_versioned` must be NULL or a writable `void *`.
#[no_mangle]
pub unsafe extern "C" fn mm_to_dlpack(
    a: mm_array,
    out_managed_tensor_versioned: *mut *mut c_void,
) -> mm_status {
    guard("mm_to_dlpack", |name| {
        let call = format!("{name}(handle {a:#x})");
        // SAFETY: the caller passes NULL or a writable `void *`.
        let out = unsafe {
            out_arg(
                &call,
                "out",
                out_managed_tensor_versioned,
                std::ptr::null_mut(),
            )
        }?;
        let export = with_entry(name, a, |e| {
            export(&e.view).map_err(|why| Fail::new(MM_E_UNSUPPORTED, format!("{call}: {why}")))
        })?;
        *out = Box::into_raw(export).cast();
        Ok(MM_OK)
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::dtype::DType;
    use crate::layout::Order;
    use crate::mapping::{Mode, OpenSpec};
    use std::mem::{align_of, offset_of, size_of};

    /// The offsets DLPack 1.x gives these structs on a 64-bit platform.
    #[test]
    #[cfg(target_pointer_width = "64")]
    fn layout_matches_dlpack_1() {
        assert_eq!(size_of::<mm_dl_data_type>(), 4);
        assert_eq!(size_of::<mm_dl_device>(), 8);
        assert_eq!(offset_of!(mm_dl_tensor, device), 8);
        assert_eq!(offset_of!(mm_dl_tensor, ndim), 16);
        assert_eq!(offset_of!(mm_dl_tensor, dtype), 20);
        assert_eq!(offset_of!(mm_dl_tensor, shape), 24);
        assert_eq!(offset_of!(mm_dl_tensor, strides), 32);
        assert_eq!(offset_of!(mm_dl_tensor, byte_offset), 40);
        assert_eq!(size_of::<mm_dl_tensor>(), 48);
        assert_eq!(offset_of!(mm_dl_managed_tensor_versioned, manager_ctx), 8);
        assert_eq!(offset_of!(mm_dl_managed_tensor_versioned, deleter), 16);
        assert_eq!(offset_of!(mm_dl_managed_tensor_versioned, flags), 24);
        assert_eq!(offset_of!(mm_dl_managed_tensor_versioned, dl_tensor), 32);
        assert_eq!(size_of::<mm_dl_managed_tensor_versioned>(), 80);
        assert_eq!(align_of::<mm_dl_managed_tensor_versioned>(), 8);
    }

    fn open(dir: &std::path::Path, dtype: &str, mode: Mode, n: usize) -> View {
        let spec = OpenSpec {
            dtype: DType::parse(dtype).unwrap(),
            mode,
            offset: 3,
            shape: Some(vec![n]),
            order: Order::C,
        };
        View::open(
            &dir.join(format!("{dtype}.bin").replace(['<', '>'], "_")),
            &spec,
        )
        .unwrap()
    }

    #[test]
    fn deleter_runs_on_another_thread() {
        let tmp = crate::test_tempdir::TempDir::new("dlpack-t");
        let dir = &tmp.0;
        let v = open(dir, "<f8", Mode::Write, 4);
        let raw = Box::into_raw(export(&v).unwrap()) as usize;
        drop(v);
        std::thread::spawn(move || {
            let t = raw as *mut mm_dl_managed_tensor_versioned;
            // SAFETY: the export is alive until its deleter runs, just below.
            let (first, deleter) = unsafe {
                let d = &(*t).dl_tensor;
                (
                    (d.data as usize + d.byte_offset as usize) as *mut f64,
                    (*t).deleter.unwrap(),
                )
            };
            // SAFETY: the first element lies in the export's live, writable mapping.
            unsafe { first.write_unaligned(2.5) };
            // SAFETY: the deleter runs once, with the tensor it belongs to.
            unsafe { deleter(t.cast()) };
        })
        .join()
        .unwrap();
        let bytes = std::fs::read(tmp.path("_f8.bin")).unwrap();
        assert_eq!(&bytes[3..11], &2.5f64.to_ne_bytes());
    }

    #[test]
    fn export_describes_the_view_and_outlives_it() {
        let tmp = crate::test_tempdir::TempDir::new("dlpack");
        let dir = &tmp.0;
        let v = open(dir, "<i4", Mode::Write, 6);
        let r = v.slice(0, 5, i64::MIN, -2).unwrap();
        let e = export(&r).unwrap();
        let t = &e.tensor.dl_tensor;
        assert_eq!(t.ndim, 1);
        assert_eq!(
            (t.dtype.code, t.dtype.bits, t.dtype.lanes),
            (MM_DL_INT, 32, 1)
        );
        // SAFETY: shape and strides point to ndim (1) values owned by the export.
        assert_eq!(unsafe { *t.shape }, 3);
        // SAFETY: as above.
        assert_eq!(unsafe { *t.strides }, -2);
        assert_eq!(t.data as usize % 256, 0);
        assert_eq!(
            t.data as usize + t.byte_offset as usize,
            r.data_ptr() as usize
        );
        assert_eq!(e.tensor.flags, 0);
        drop(v);
        drop(r);
        // Still mapped: the export holds the view.
        let first = (t.data as usize + t.byte_offset as usize) as *mut i32;
        // SAFETY: the export keeps the writable mapping alive.
        unsafe { first.write_unaligned(42) };
        let raw = Box::into_raw(e);
        // SAFETY: `raw` is the export, deleted once.
        unsafe { delete_export(raw.cast()) };

        let ro = open(dir, "<i4", Mode::ReadOnly, 6);
        assert_eq!(export(&ro).unwrap().tensor.flags, MM_DLPACK_FLAG_READ_ONLY);
        for bad in [">i4", "S3", "<U2", "V4", "<M8[s]", "<m8[s]"] {
            let spec = OpenSpec {
                dtype: DType::parse(bad).unwrap(),
                mode: Mode::ReadOnly,
                offset: 0,
                shape: Some(vec![1]),
                order: Order::C,
            };
            let v = View::open(&dir.join("<i4.bin".replace(['<', '>'], "_")), &spec).unwrap();
            assert!(export(&v).is_err(), "{bad}");
        }
        // Byte stride 6 over 4-byte items.
        let odd = ro.view(None, 0, &[2], Some(&[6])).unwrap();
        assert!(export(&odd).unwrap_err().contains("not a multiple"));
        // Views closed before their files go (Windows refuses to delete a mapped file).
        drop((odd, ro));
    }
}
