//! The two settings sshook makes of glibc's allocator, the only `unsafe` code outside `simd/`:
//! one for the commands that read files, one for `serve`. Each is skipped when the user set the
//! same parameter in the environment (`MALLOC_TRIM_THRESHOLD_`, `MALLOC_MMAP_THRESHOLD_`), and
//! neither exists off glibc.

/// The reading commands free and allocate the same amounts over and over (a chunk's documents
/// and its events' encoded facts, a partition's assemblies at the end of a webhook stream): by
/// default glibc gives memory back to the system whenever 128 KiB or more are free at the top
/// of a heap, and maps each block of 128 KiB or more on its own, so that the next allocation
/// faults the same pages in again. Keeping up to 64 MiB free, and taking blocks below 4 MiB
/// from the heaps, took a third of the system time off assembling 200 000 webhook conversations
/// (279 k page faults down to 84 k) and most of a POST-hook export's faults
/// (`bench/README.md`, webhook assembly); peak memory grows by about 30 MiB there, 2 MiB for
/// POST-hook payloads.
pub fn keep_freed_memory_for_reuse() {
    #[cfg(all(target_os = "linux", target_env = "gnu"))]
    {
        if std::env::var_os("MALLOC_TRIM_THRESHOLD_").is_none() {
            // SAFETY: mallopt only sets a parameter of the allocator, before any other thread
            // starts; its result (0 on failure) only means the default stays.
            #[allow(unsafe_code)]
            unsafe {
                libc::mallopt(libc::M_TRIM_THRESHOLD, 64 << 20);
            }
        }
        if std::env::var_os("MALLOC_MMAP_THRESHOLD_").is_none() {
            // SAFETY: as above.
            #[allow(unsafe_code)]
            unsafe {
                libc::mallopt(libc::M_MMAP_THRESHOLD, 4 << 20);
            }
        }
    }
}

/// Body buffers are large (up to --max-body) and come in bursts: glibc would, after the first
/// large free, serve later ones from its arenas and keep that memory once the burst is over.
/// A fixed threshold maps every buffer of 256 KiB or more on its own, returned when freed.
pub fn return_large_frees_to_the_system() {
    #[cfg(all(target_os = "linux", target_env = "gnu"))]
    if std::env::var_os("MALLOC_MMAP_THRESHOLD_").is_none() {
        // SAFETY: as above.
        #[allow(unsafe_code)]
        unsafe {
            libc::mallopt(libc::M_MMAP_THRESHOLD, 256 << 10);
        }
    }
}
