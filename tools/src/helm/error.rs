//! Errors of the Helm binding; the SDK's numeric codes stay matchable.

use std::path::PathBuf;

/// The `helm_error_code` values of the C ABI (append-only upstream).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ErrorCode {
    /// No more specific code.
    Unknown,
    /// A missing or malformed argument.
    InvalidArg,
    /// Unknown or freed handle.
    InvalidHandle,
    /// Handle of another type.
    WrongHandleType,
    /// The library recovered from an internal panic.
    Panic,
    /// Cancelled through a context.
    Cancelled,
    /// Release or object not found.
    NotFound,
    /// Filesystem error.
    Io,
    /// The chart could not be read.
    ChartLoad,
    /// The chart failed validation.
    ChartInvalid,
    /// Values malformed or failed the schema.
    Values,
    /// A template failed to render.
    Render,
    /// OCI registry failure.
    Registry,
    /// Chart repository failure.
    Repo,
    /// Kubernetes client configuration or connectivity.
    Kube,
    /// Release storage failure.
    Storage,
    /// A release action failed.
    Release,
    /// A code this binding does not know.
    Other(i32),
}

impl ErrorCode {
    /// Maps the C status code.
    pub fn from_code(code: i32) -> Self {
        match code {
            -1 => Self::Unknown,
            -2 => Self::InvalidArg,
            -3 => Self::InvalidHandle,
            -4 => Self::WrongHandleType,
            -5 => Self::Panic,
            -6 => Self::Cancelled,
            -7 => Self::NotFound,
            -8 => Self::Io,
            -20 => Self::ChartLoad,
            -21 => Self::ChartInvalid,
            -22 => Self::Values,
            -23 => Self::Render,
            -40 => Self::Registry,
            -41 => Self::Repo,
            -60 => Self::Kube,
            -61 => Self::Storage,
            -62 => Self::Release,
            other => Self::Other(other),
        }
    }
}

/// A failure of the Helm binding.
#[derive(Debug, thiserror::Error)]
pub enum HelmError {
    /// `libhelm_c.so` was not found.
    #[error(
        "the Helm SDK library libhelm_c.so was not found (searched: {}); install it with `todo-ops setup helm` (it fetches the pinned helm-python-sdk==0.2.2 wheel from PyPI, checks its sha256 and unpacks the library into your data folder; `--wheel FILE` uses a copy you already have) or set HELM_C_LIB=/path/to/libhelm_c.so",
        searched.iter().map(|p| p.display().to_string()).collect::<Vec<_>>().join(", ")
    )]
    LibraryMissing {
        /// Every path tried.
        searched: Vec<PathBuf>,
    },
    /// The library exists but could not be loaded or lacks a symbol.
    #[error(
        "the Helm SDK library at {path} could not be used: {reason}; set HELM_C_LIB to a libhelm_c.so 0.2.x built for this system"
    )]
    LibraryUnusable {
        /// The file.
        path: PathBuf,
        /// What went wrong.
        reason: String,
    },
    /// The library failed to load earlier in this process (the message says why).
    #[error("{0}")]
    Unavailable(String),
    /// The SDK reported an error.
    #[error("helm {operation} failed ({code:?}): {detail}")]
    Sdk {
        /// The operation, e.g. `upgrade todo-backend`.
        operation: String,
        /// The SDK's error code.
        code: ErrorCode,
        /// The SDK's message.
        detail: String,
    },
    /// An argument contained a NUL byte or could not be encoded.
    #[error("helm {operation}: invalid argument: {reason}")]
    InvalidInput {
        /// The operation.
        operation: String,
        /// What is wrong.
        reason: String,
    },
    /// The SDK returned JSON this binding could not decode.
    #[error("helm {operation}: unexpected reply from the SDK: {reason}")]
    Decode {
        /// The operation.
        operation: String,
        /// The decoding error.
        reason: String,
    },
    /// A helm-python-sdk wheel that is not the pinned one, or has no library inside.
    #[error(
        "the wheel {wheel} cannot be used: {reason}; use the pinned {expected} (`todo-ops setup helm` downloads it from PyPI)"
    )]
    WheelRejected {
        /// The wheel file or URL.
        wheel: String,
        /// What is wrong with it.
        reason: String,
        /// The file name of the pinned wheel.
        expected: String,
    },
    /// The library could not be written where it is installed.
    #[error(
        "cannot install the Helm SDK library into {path}: {source}; pick a writable folder with --dest"
    )]
    InstallWrite {
        /// The file or folder.
        path: PathBuf,
        /// Why.
        source: std::io::Error,
    },
    /// The blocking task running the call panicked or was cancelled.
    #[error("helm {operation}: the worker thread failed: {reason}")]
    Worker {
        /// The operation.
        operation: String,
        /// Why.
        reason: String,
    },
}

impl HelmError {
    /// The SDK code, when the SDK reported the error.
    pub fn code(&self) -> Option<ErrorCode> {
        match self {
            Self::Sdk { code, .. } => Some(*code),
            _ => None,
        }
    }
}
