//! The only place that touches the C ABI of `libhelm_c.so`: symbol table, string
//! ownership (every returned string is copied then freed exactly once) and status codes.
//! Everything above works with Rust types.
#![allow(unsafe_code)]

use std::ffi::{CStr, CString, c_char};
use std::path::PathBuf;
use std::ptr;
use std::sync::OnceLock;

use super::error::{ErrorCode, HelmError};
use super::locate;

type StrOut = *mut *mut c_char;
type CStrIn = *const c_char;

type FreeStringFn = unsafe extern "C" fn(*mut c_char);
type VersionFn = unsafe extern "C" fn() -> *mut c_char;
type CountFn = unsafe extern "C" fn() -> i64;
type HandleFreeFn = unsafe extern "C" fn(u64, StrOut) -> i32;
type NewHandleFn = unsafe extern "C" fn(CStrIn, *mut u64, StrOut) -> i32;
type HandleStringFn = unsafe extern "C" fn(u64, StrOut, StrOut) -> i32;
type HandleStrStringFn = unsafe extern "C" fn(u64, CStrIn, StrOut, StrOut) -> i32;
type HandleStrStatusFn = unsafe extern "C" fn(u64, CStrIn, StrOut) -> i32;
type HandleStrStrStringFn = unsafe extern "C" fn(u64, CStrIn, CStrIn, StrOut, StrOut) -> i32;
type HandleStrStrStatusFn = unsafe extern "C" fn(u64, CStrIn, CStrIn, StrOut) -> i32;
type StrStringFn = unsafe extern "C" fn(CStrIn, StrOut, StrOut) -> i32;
type StrStrStrStringFn = unsafe extern "C" fn(CStrIn, CStrIn, CStrIn, StrOut, StrOut) -> i32;
type ReleaseActionFn =
    unsafe extern "C" fn(u64, u64, u64, CStrIn, CStrIn, CStrIn, CStrIn, StrOut, StrOut) -> i32;

/// The loaded library and its functions. Never unloaded: a Go runtime cannot be.
pub struct Native {
    _lib: libloading::Library,
    /// Where it was loaded from.
    pub path: PathBuf,
    free_string: FreeStringFn,
    c_version: VersionFn,
    sdk_version: VersionFn,
    open_handles: CountFn,
    chart_load: NewHandleFn,
    chart_free: HandleFreeFn,
    chart_metadata: HandleStringFn,
    chart_values: HandleStringFn,
    chart_schema: HandleStringFn,
    chart_merge_values: HandleStrStringFn,
    schema_validate: HandleStrStatusFn,
    render: HandleStrStrStringFn,
    lint_run_opts: StrStrStrStringFn,
    values_from_yaml: StrStringFn,
    config_new: NewHandleFn,
    config_free: HandleFreeFn,
    install: ReleaseActionFn,
    upgrade: ReleaseActionFn,
    uninstall: HandleStrStrStringFn,
    rollback: HandleStrStrStatusFn,
    list: HandleStrStringFn,
    status: HandleStrStrStringFn,
    history: HandleStrStrStringFn,
    get_values: HandleStrStrStringFn,
}

static NATIVE: OnceLock<Result<Native, String>> = OnceLock::new();

pub(super) fn load_from(path: PathBuf) -> Result<Native, HelmError> {
    let unusable = |reason: String| HelmError::LibraryUnusable {
        path: path.clone(),
        reason,
    };
    // SAFETY: loading runs the library's initialisers; libhelm_c is a Go c-shared library
    // whose initialisers only start the Go runtime.
    let lib = unsafe { libloading::Library::new(&path) }.map_err(|e| unusable(e.to_string()))?;
    macro_rules! sym {
        ($name:literal) => {
            // SAFETY: the type is the symbol's signature in helm_c.h (0.2.x), copied out of
            // the Symbol while the Library is kept alive for the life of the process.
            *unsafe { lib.get(concat!($name, "\0").as_bytes()) }
                .map_err(|e| unusable(format!("missing symbol {}: {e}", $name)))?
        };
    }
    let native = Native {
        free_string: sym!("helm_free_string"),
        c_version: sym!("helm_c_version"),
        sdk_version: sym!("helm_sdk_version"),
        open_handles: sym!("helm_open_handles_count"),
        chart_load: sym!("helm_chart_load"),
        chart_free: sym!("helm_chart_free"),
        chart_metadata: sym!("helm_chart_metadata"),
        chart_values: sym!("helm_chart_values"),
        chart_schema: sym!("helm_chart_schema"),
        chart_merge_values: sym!("helm_chart_merge_values"),
        schema_validate: sym!("helm_schema_validate"),
        render: sym!("helm_render"),
        lint_run_opts: sym!("helm_lint_run_opts"),
        values_from_yaml: sym!("helm_values_from_yaml"),
        config_new: sym!("helm_config_new"),
        config_free: sym!("helm_config_free"),
        install: sym!("helm_install"),
        upgrade: sym!("helm_upgrade"),
        uninstall: sym!("helm_uninstall"),
        rollback: sym!("helm_rollback"),
        list: sym!("helm_list"),
        status: sym!("helm_status"),
        history: sym!("helm_history"),
        get_values: sym!("helm_get_values"),
        _lib: lib,
        path: path.clone(),
    };
    let version = native.c_version();
    if !version.starts_with("0.") {
        return Err(unusable(format!(
            "version {version} is not the 0.x C ABI this binding is written for"
        )));
    }
    Ok(native)
}

/// The library, loaded once per process.
pub fn native() -> Result<&'static Native, HelmError> {
    let loaded = NATIVE.get_or_init(|| {
        let searched = locate::Search::from_env().candidates();
        match searched.iter().find(|p| p.is_file()) {
            Some(p) => load_from(p.clone()).map_err(|e| e.to_string()),
            None => Err(HelmError::LibraryMissing { searched }.to_string()),
        }
    });
    loaded
        .as_ref()
        .map_err(|reason| HelmError::Unavailable(reason.clone()))
}

/// An optional input string, kept alive for the call.
struct Arg(Option<CString>);

impl Arg {
    fn new(op: &str, s: Option<&str>) -> Result<Self, HelmError> {
        s.map(CString::new)
            .transpose()
            .map(Self)
            .map_err(|_| HelmError::InvalidInput {
                operation: op.to_string(),
                reason: "a string argument contains a NUL byte".into(),
            })
    }

    fn ptr(&self) -> CStrIn {
        self.0.as_ref().map_or(ptr::null(), |c| c.as_ptr())
    }
}

impl Native {
    /// Copies then frees a library-owned string.
    fn take(&self, p: *mut c_char) -> Option<String> {
        if p.is_null() {
            return None;
        }
        // SAFETY: p is a NUL-terminated string the library allocated and handed to us; it
        // is read once here and freed once with the library's own free function.
        let s = unsafe { CStr::from_ptr(p) }.to_string_lossy().into_owned();
        // SAFETY: as above; never used again.
        unsafe { (self.free_string)(p) };
        Some(s)
    }

    fn finish(
        &self,
        op: &str,
        code: i32,
        out: *mut c_char,
        err: *mut c_char,
    ) -> Result<String, HelmError> {
        let detail = self.take(err);
        let out = self.take(out);
        if code == 0 {
            return Ok(out.unwrap_or_default());
        }
        Err(HelmError::Sdk {
            operation: op.to_string(),
            code: ErrorCode::from_code(code),
            detail: detail.unwrap_or_else(|| "no detail given".into()),
        })
    }

    /// Version of the helm-c library.
    pub fn c_version(&self) -> String {
        // SAFETY: no arguments; returns an owned string or NULL.
        let p = unsafe { (self.c_version)() };
        self.take(p).unwrap_or_else(|| "unknown".into())
    }

    /// Version of the Helm Go SDK inside it.
    pub fn sdk_version(&self) -> String {
        // SAFETY: as c_version.
        let p = unsafe { (self.sdk_version)() };
        self.take(p).unwrap_or_else(|| "unknown".into())
    }

    /// Live handles (for leak checks).
    pub fn open_handles(&self) -> i64 {
        // SAFETY: no arguments, no ownership.
        unsafe { (self.open_handles)() }
    }

    fn new_handle(&self, f: NewHandleFn, op: &str, arg: Option<&str>) -> Result<u64, HelmError> {
        let a = Arg::new(op, arg)?;
        let mut h = 0u64;
        let mut err = ptr::null_mut();
        // SAFETY: a outlives the call; h and err are valid out-pointers.
        let code = unsafe { f(a.ptr(), &mut h, &mut err) };
        self.finish(op, code, ptr::null_mut(), err).map(|_| h)
    }

    fn free_handle(&self, f: HandleFreeFn, h: u64) {
        let mut err = ptr::null_mut();
        // SAFETY: h came from the matching constructor and is freed once (by Drop).
        let _ = unsafe { f(h, &mut err) };
        let _ = self.take(err);
    }

    fn handle_string(&self, f: HandleStringFn, op: &str, h: u64) -> Result<String, HelmError> {
        let (mut out, mut err) = (ptr::null_mut(), ptr::null_mut());
        // SAFETY: valid out-pointers; h is a live handle.
        let code = unsafe { f(h, &mut out, &mut err) };
        self.finish(op, code, out, err)
    }

    fn handle_str_string(
        &self,
        f: HandleStrStringFn,
        op: &str,
        h: u64,
        a: Option<&str>,
    ) -> Result<String, HelmError> {
        let a = Arg::new(op, a)?;
        let (mut out, mut err) = (ptr::null_mut(), ptr::null_mut());
        // SAFETY: a outlives the call; valid out-pointers.
        let code = unsafe { f(h, a.ptr(), &mut out, &mut err) };
        self.finish(op, code, out, err)
    }

    fn handle_str2_string(
        &self,
        f: HandleStrStrStringFn,
        op: &str,
        h: u64,
        a: Option<&str>,
        b: Option<&str>,
    ) -> Result<String, HelmError> {
        let (a, b) = (Arg::new(op, a)?, Arg::new(op, b)?);
        let (mut out, mut err) = (ptr::null_mut(), ptr::null_mut());
        // SAFETY: a and b outlive the call; valid out-pointers.
        let code = unsafe { f(h, a.ptr(), b.ptr(), &mut out, &mut err) };
        self.finish(op, code, out, err)
    }

    /// `helm_chart_load`.
    pub fn chart_load(&self, path: &str) -> Result<u64, HelmError> {
        self.new_handle(self.chart_load, &format!("load chart {path}"), Some(path))
    }

    /// `helm_chart_free`.
    pub fn chart_free(&self, h: u64) {
        self.free_handle(self.chart_free, h);
    }

    /// `helm_chart_metadata`, `helm_chart_values`, `helm_chart_schema` by name.
    pub fn chart_json(&self, what: ChartJson, h: u64) -> Result<String, HelmError> {
        let (f, op) = match what {
            ChartJson::Metadata => (self.chart_metadata, "chart metadata"),
            ChartJson::Values => (self.chart_values, "chart values"),
            ChartJson::Schema => (self.chart_schema, "chart schema"),
        };
        self.handle_string(f, op, h)
    }

    /// `helm_chart_merge_values`.
    pub fn merge_values(&self, h: u64, values: Option<&str>) -> Result<String, HelmError> {
        self.handle_str_string(self.chart_merge_values, "merge values", h, values)
    }

    /// `helm_schema_validate`.
    pub fn schema_validate(&self, h: u64, values: Option<&str>) -> Result<(), HelmError> {
        let a = Arg::new("validate values", values)?;
        let mut err = ptr::null_mut();
        // SAFETY: a outlives the call; valid out-pointer.
        let code = unsafe { (self.schema_validate)(h, a.ptr(), &mut err) };
        self.finish("validate values", code, ptr::null_mut(), err)
            .map(|_| ())
    }

    /// `helm_render`.
    pub fn render(
        &self,
        h: u64,
        values: Option<&str>,
        opts: Option<&str>,
    ) -> Result<String, HelmError> {
        self.handle_str2_string(self.render, "template", h, values, opts)
    }

    /// `helm_lint_run_opts`.
    pub fn lint(
        &self,
        path: &str,
        values: Option<&str>,
        opts: Option<&str>,
    ) -> Result<String, HelmError> {
        let op = format!("lint {path}");
        let (p, v, o) = (
            Arg::new(&op, Some(path))?,
            Arg::new(&op, values)?,
            Arg::new(&op, opts)?,
        );
        let (mut out, mut err) = (ptr::null_mut(), ptr::null_mut());
        // SAFETY: arguments outlive the call; valid out-pointers.
        let code = unsafe { (self.lint_run_opts)(p.ptr(), v.ptr(), o.ptr(), &mut out, &mut err) };
        self.finish(&op, code, out, err)
    }

    /// `helm_values_from_yaml`.
    pub fn values_from_yaml(&self, yaml: &str) -> Result<String, HelmError> {
        let a = Arg::new("parse YAML", Some(yaml))?;
        let (mut out, mut err) = (ptr::null_mut(), ptr::null_mut());
        // SAFETY: a outlives the call; valid out-pointers.
        let code = unsafe { (self.values_from_yaml)(a.ptr(), &mut out, &mut err) };
        self.finish("parse YAML", code, out, err)
    }

    /// `helm_config_new`.
    pub fn config_new(&self, options: Option<&str>) -> Result<u64, HelmError> {
        self.new_handle(self.config_new, "configure cluster access", options)
    }

    /// `helm_config_free`.
    pub fn config_free(&self, h: u64) {
        self.free_handle(self.config_free, h);
    }

    /// `helm_install` / `helm_upgrade` with a loaded chart.
    pub fn release_action(
        &self,
        action: ReleaseAction,
        config: u64,
        chart: u64,
        name: &str,
        values: Option<&str>,
        opts: Option<&str>,
    ) -> Result<String, HelmError> {
        let (f, verb) = match action {
            ReleaseAction::Install => (self.install, "install"),
            ReleaseAction::Upgrade => (self.upgrade, "upgrade"),
        };
        let op = format!("{verb} {name}");
        let (n, v, o) = (
            Arg::new(&op, Some(name))?,
            Arg::new(&op, values)?,
            Arg::new(&op, opts)?,
        );
        let (mut out, mut err) = (ptr::null_mut(), ptr::null_mut());
        // SAFETY: handles are live (0 = no context); strings outlive the call (NULL chart
        // reference because a loaded chart handle is passed); valid out-pointers.
        let code = unsafe {
            f(
                config,
                0,
                chart,
                ptr::null(),
                n.ptr(),
                v.ptr(),
                o.ptr(),
                &mut out,
                &mut err,
            )
        };
        self.finish(&op, code, out, err)
    }

    /// `helm_uninstall`, `helm_status`, `helm_history`, `helm_get_values` by name.
    pub fn release_query(
        &self,
        q: ReleaseQuery,
        config: u64,
        name: &str,
        opts: Option<&str>,
    ) -> Result<String, HelmError> {
        let (f, verb) = match q {
            ReleaseQuery::Uninstall => (self.uninstall, "uninstall"),
            ReleaseQuery::Status => (self.status, "status"),
            ReleaseQuery::History => (self.history, "history"),
            ReleaseQuery::GetValues => (self.get_values, "get values"),
        };
        self.handle_str2_string(f, &format!("{verb} {name}"), config, Some(name), opts)
    }

    /// `helm_rollback`.
    pub fn rollback(&self, config: u64, name: &str, opts: Option<&str>) -> Result<(), HelmError> {
        let op = format!("rollback {name}");
        let (n, o) = (Arg::new(&op, Some(name))?, Arg::new(&op, opts)?);
        let mut err = ptr::null_mut();
        // SAFETY: strings outlive the call; valid out-pointer.
        let code = unsafe { (self.rollback)(config, n.ptr(), o.ptr(), &mut err) };
        self.finish(&op, code, ptr::null_mut(), err).map(|_| ())
    }

    /// `helm_list`.
    pub fn list(&self, config: u64, opts: Option<&str>) -> Result<String, HelmError> {
        self.handle_str_string(self.list, "list", config, opts)
    }
}

/// Which chart document to fetch.
#[derive(Debug, Clone, Copy)]
pub enum ChartJson {
    /// Chart.yaml.
    Metadata,
    /// values.yaml.
    Values,
    /// values.schema.json.
    Schema,
}

/// Install or upgrade.
#[derive(Debug, Clone, Copy)]
pub enum ReleaseAction {
    /// `helm install`.
    Install,
    /// `helm upgrade`.
    Upgrade,
}

/// Release queries taking a name and options.
#[derive(Debug, Clone, Copy)]
pub enum ReleaseQuery {
    /// `helm uninstall`.
    Uninstall,
    /// `helm status`.
    Status,
    /// `helm history`.
    History,
    /// `helm get values`.
    GetValues,
}
