//! Links the `report-pdf` binary as a position-dependent executable (`-no-pie`), for its cold start
//! (issue #16).
//!
//! Typst's static tables hold about 87,000 pointers (x86_64; the other functions 13,000 to
//! 45,000). In a position-independent executable the loader rewrites each of them before `main`
//! (one relative relocation each: 1.4 million instructions and about 400 copied pages, some
//! 1.5 ms of this function's start-up), and `provided.al2023`'s glibc 2.34 predates packed
//! relocations (RELR, glibc 2.36), which would have made that cheaper. Linked at a fixed address,
//! the pointers are written by the linker and the loader has nothing to do.
//!
//! The cost is address-space layout randomisation of the executable's own image (the heap, the
//! stack and the shared libraries stay randomised), as for a Go binary's default build. It is
//! accepted here only: this function reads no request from a caller, only the table's stream
//! records and the report items the other functions wrote. The HTTP functions, which read
//! callers' requests, stay position-independent.
//!
//! The code stays position-independent (rustc's default); only the link changes, so no dependency
//! is rebuilt for it (a `-C relocation-model=static` rustflag would rebuild all of them, and fails
//! on dependencies that also build a shared library).
fn main() {
    println!("cargo::rustc-link-arg-bins=-no-pie");
}
