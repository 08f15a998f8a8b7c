//! kubesim: a local Kubernetes API emulator (filled by the kubesim issues).
