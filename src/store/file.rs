//! The file store (the default): one JSON entry per identity in a private directory shared
//! by every process of the user, whichever language it is written in.
//!
//! Layout of the directory (`$XDG_CACHE_HOME/authtoken`, `~/.cache/authtoken`, or the
//! `cache_dir` key / `AUTHTOKEN_CACHE_DIR`):
//!
//! ```text
//! <CacheKey::id()>.json   the entry (the format of `Entry`), mode 0600
//! <CacheKey::id()>.lock   the login lock (an OS lock on the open file; the file stays empty)
//! <CacheKey::id()>.refusal.json   a remembered login refusal (`Refusal`), mode 0600, written
//!                         like entries, under the login lock; left in place when its
//!                         cool-off has passed (ignored, replaced or removed later)
//! .<id>.<random>.tmp      a save in progress (renamed over the entry when complete)
//! ```
//!
//! * Writes go to a temporary file in the same directory, are fsynced, then renamed over the
//!   entry, so a reader sees the old entry or the new one, never a torn one, even when the
//!   writer is killed half-way.
//! * The login lock is `flock(2)` on `<id>.lock`, taken through `fs4`: the kernel releases it
//!   when its holder exits or is killed, so a crashed process never wedges the others, and
//!   lock files never need cleaning up.
//! * As ssh does with `~/.ssh`, the directory must belong to the user and be closed to
//!   everyone else (0700), and an entry must be 0600; anything else is refused with an error
//!   that names the path and the command that fixes it.

use std::collections::HashMap;
use std::fs::{self, DirBuilder, File, OpenOptions};
use std::io::{self, Read, Write};
use std::os::unix::fs::{DirBuilderExt, MetadataExt, OpenOptionsExt, PermissionsExt};
use std::path::{Path, PathBuf};
use std::sync::{Mutex, PoisonError};
use std::thread::{self, ThreadId};
use std::time::{Duration, Instant, SystemTime};

use once_cell::sync::Lazy;

use super::{CacheKey, Entry, LockGuard, Refusal, TokenStore};
use crate::config::{Config, ENV_CACHE_DIR};
use crate::error::{Error, ErrorKind, Result};

/// Entries larger than this are not read (a token is at most 16 KiB).
const MAX_ENTRY_BYTES: u64 = 64 * 1024;
/// Temporary files older than this are left-overs of a killed writer and are deleted.
const STALE_TEMP_AGE: Duration = Duration::from_secs(600);
/// The longest pause between two attempts to take a contended lock.
const MAX_LOCK_POLL: Duration = Duration::from_millis(20);

/// Lock files held by this process, and by which thread: `remove` with a token to compare
/// takes the login lock, unless the calling thread already holds it.
static HELD: Lazy<Mutex<HashMap<PathBuf, ThreadId>>> = Lazy::new(Default::default);

/// Tokens kept in files in one directory, shared by every process of the user.
///
/// `FileStore` is `Send + Sync` and holds no open files between calls; cloning it is cheap and
/// clones share nothing but the directory. Every method may fail with `ErrorKind::Store` when
/// the directory or an entry is unsafe (not the user's own, open to others) or the filesystem
/// fails; an unreadable, corrupt or future-version entry is a miss (`Ok(None)`), never an
/// error.
#[derive(Clone, Debug)]
pub struct FileStore {
    dir: PathBuf,
    lock_timeout: Duration,
}

impl FileStore {
    /// The store in `dir`, creating it (mode 0700, with missing parents) when it does not
    /// exist. `lock_timeout` bounds the wait for the lock in [`TokenStore::remove`] with a
    /// token to compare (the login lock's wait is given to [`TokenStore::lock`]).
    ///
    /// # Errors
    /// `Store` when the directory cannot be created, is not a directory, belongs to another
    /// user, is open to other users (wider than 0700), or is not writable (a read-only cache
    /// directory is an error, not a silent fall-back to memory: see docs/cache.md).
    pub fn open(dir: impl Into<PathBuf>, lock_timeout: Duration) -> Result<FileStore> {
        let dir = dir.into();
        let dir = std::path::absolute(&dir).map_err(|e| {
            Error::store(format!(
                "the token cache directory {} cannot be resolved: {e}",
                dir.display()
            ))
        })?;
        if let Err(e) = DirBuilder::new().recursive(true).mode(0o700).create(&dir) {
            return Err(Error::store(format!(
                "cannot create the token cache directory {}: {e}{}",
                dir.display(),
                writable_hint(&e)
            )));
        }
        check_dir(&dir)?;
        if let Err(e) = rustix::fs::access(
            &dir,
            rustix::fs::Access::WRITE_OK | rustix::fs::Access::EXEC_OK,
        ) {
            return Err(Error::store(format!(
                "the token cache directory {} is not writable: {}; {WRITABLE_HINT}",
                dir.display(),
                io::Error::from(e),
            )));
        }
        Ok(FileStore { dir, lock_timeout })
    }

    /// The store a configuration asks for: the `cache_dir` key, else [`FileStore::default_dir`].
    ///
    /// # Errors
    /// As [`FileStore::open`] and [`FileStore::default_dir`].
    pub fn for_config(config: &Config) -> Result<FileStore> {
        let dir = match config.cache_dir() {
            Some(dir) => dir.to_path_buf(),
            None => FileStore::default_dir()?,
        };
        FileStore::open(dir, config.lock_timeout())
    }

    /// Where tokens are kept when the configuration has no `cache_dir`:
    /// `$AUTHTOKEN_CACHE_DIR`, else `$XDG_CACHE_HOME/authtoken` (when it is an absolute path,
    /// as the XDG specification requires), else `~/.cache/authtoken`, on every Unix system.
    /// Nothing is created.
    ///
    /// # Errors
    /// `Store` when none of these can be found (no home directory).
    pub fn default_dir() -> Result<PathBuf> {
        if let Some(dir) = std::env::var_os(ENV_CACHE_DIR).filter(|d| !d.is_empty()) {
            return Ok(PathBuf::from(dir));
        }
        let xdg = std::env::var_os("XDG_CACHE_HOME")
            .map(PathBuf::from)
            .filter(|d| d.is_absolute());
        xdg.or_else(|| dirs::home_dir().map(|h| h.join(".cache")))
            .map(|d| d.join("authtoken"))
            .ok_or_else(|| {
                Error::store(format!(
                    "cannot find a cache directory for tokens (neither $XDG_CACHE_HOME nor a home directory): \
                     set the `cache_dir` config key or {ENV_CACHE_DIR}, or use \"cache\": \"memory\""
                ))
            })
    }

    /// The directory this store keeps its files in (absolute).
    pub fn dir(&self) -> &Path {
        &self.dir
    }

    /// The path of the entry for `key`: `<dir>/<key.id()>.json`.
    pub fn entry_path(&self, key: &CacheKey) -> PathBuf {
        self.dir.join(format!("{}.json", key.id()))
    }

    /// The path of the refusal record for `key`: `<dir>/<key.id()>.refusal.json`.
    pub fn refusal_path(&self, key: &CacheKey) -> PathBuf {
        self.dir.join(format!("{}.refusal.json", key.id()))
    }

    /// Writes `bytes` to `path` atomically: a 0600 temporary file in the directory, fsynced,
    /// renamed over `path`. `what` names the file in errors.
    fn write_atomically(
        &self,
        key: &CacheKey,
        path: &Path,
        bytes: &[u8],
        what: &str,
    ) -> Result<()> {
        check_dir(&self.dir)?;
        let fail = |e: &dyn std::fmt::Display| {
            Error::store(format!("cannot write the {what} {}: {e}", path.display()))
        };
        // tempfile creates the file with mode 0600 and O_EXCL, in the same directory so the
        // rename below stays on one filesystem.
        let mut tmp = tempfile::Builder::new()
            .prefix(&format!(".{}.", key.id()))
            .suffix(".tmp")
            .tempfile_in(&self.dir)
            .map_err(|e| fail(&e))?;
        tmp.write_all(bytes).map_err(|e| fail(&e))?;
        tmp.as_file().sync_all().map_err(|e| fail(&e))?;
        tmp.persist(path).map_err(|e| fail(&e.error))?;
        sync_dir(&self.dir);
        self.sweep_stale_temporaries();
        Ok(())
    }

    /// The path of the login lock for `key`: `<dir>/<key.id()>.lock`.
    pub fn lock_path(&self, key: &CacheKey) -> PathBuf {
        self.dir.join(format!("{}.lock", key.id()))
    }

    fn take_lock(&self, key: &CacheKey, timeout: Duration) -> Result<FileLock> {
        check_dir(&self.dir)?;
        let path = self.lock_path(key);
        let file = OpenOptions::new()
            .read(true)
            .write(true)
            .create(true)
            .truncate(false)
            .mode(0o600)
            .custom_flags(libc::O_NOFOLLOW)
            .open(&path)
            .map_err(|e| {
                Error::store(format!(
                    "cannot open the lock file {}: {e}{}",
                    path.display(),
                    writable_hint(&e)
                ))
            })?;
        let deadline = Instant::now() + timeout;
        let mut pause = Duration::from_millis(1);
        let mut announced = false;
        loop {
            match fs4::FileExt::try_lock(&file) {
                Ok(()) => break,
                Err(fs4::TryLockError::WouldBlock) => {}
                Err(fs4::TryLockError::Error(e)) => {
                    return Err(Error::store(format!("cannot lock {}: {e}", path.display())));
                }
            }
            let now = Instant::now();
            if now >= deadline {
                return Err(Error::new(
                    ErrorKind::LockTimeout,
                    format!(
                        "another process held the login lock {} for more than {} ms (lock_timeout_ms) \
                         while logging in; raise lock_timeout_ms, or find the process holding it: lsof {}",
                        path.display(),
                        timeout.as_millis(),
                        path.display()
                    ),
                ));
            }
            if !announced {
                log::debug!(
                    "authtoken: waiting for another process's login ({})",
                    path.display()
                );
                announced = true;
            }
            let jitter = Duration::from_micros(fastrand::u64(0..=pause.as_micros() as u64 / 2));
            thread::sleep((pause + jitter).min(deadline - now));
            pause = (pause * 2).min(MAX_LOCK_POLL);
        }
        HELD.lock()
            .unwrap_or_else(PoisonError::into_inner)
            .insert(path.clone(), thread::current().id());
        Ok(FileLock { file, path })
    }

    fn held_by_this_thread(&self, key: &CacheKey) -> bool {
        HELD.lock()
            .unwrap_or_else(PoisonError::into_inner)
            .get(&self.lock_path(key))
            .is_some_and(|t| *t == thread::current().id())
    }

    fn unlink(&self, path: &Path) -> Result<bool> {
        match fs::remove_file(path) {
            Ok(()) => {
                sync_dir(&self.dir);
                Ok(true)
            }
            Err(e) if e.kind() == io::ErrorKind::NotFound => Ok(false),
            Err(e) => Err(Error::store(format!(
                "cannot remove {}: {e}",
                path.display()
            ))),
        }
    }

    /// Deletes temporary files left by writers that were killed before renaming them.
    fn sweep_stale_temporaries(&self) {
        let Ok(entries) = fs::read_dir(&self.dir) else {
            return;
        };
        let now = SystemTime::now();
        for entry in entries.flatten() {
            let name = entry.file_name();
            let name = name.to_string_lossy();
            if !(name.starts_with('.') && name.ends_with(".tmp")) {
                continue;
            }
            let old = entry
                .metadata()
                .and_then(|m| m.modified())
                .ok()
                .and_then(|m| now.duration_since(m).ok())
                .is_some_and(|age| age > STALE_TEMP_AGE);
            if old {
                let _ = fs::remove_file(entry.path());
            }
        }
    }
}

/// What to do about a cache directory that cannot be written.
const WRITABLE_HINT: &str = "the token cache must be writable to share tokens between processes: \
    make it writable, point the `cache_dir` config key or AUTHTOKEN_CACHE_DIR at a writable directory, \
    or use \"cache\": \"memory\" to keep tokens in this process only";

/// [`WRITABLE_HINT`] after errors that mean "not writable", nothing after others.
fn writable_hint(e: &io::Error) -> String {
    let not_writable =
        e.kind() == io::ErrorKind::PermissionDenied || e.raw_os_error() == Some(libc::EROFS);
    if not_writable {
        format!("; {WRITABLE_HINT}")
    } else {
        String::new()
    }
}

fn my_uid() -> u32 {
    rustix::process::geteuid().as_raw()
}

/// The directory must be a directory of the user's own, closed to everyone else.
fn check_dir(dir: &Path) -> Result<()> {
    let meta = fs::metadata(dir).map_err(|e| {
        Error::store(format!(
            "cannot read the token cache directory {}: {e}",
            dir.display()
        ))
    })?;
    if !meta.is_dir() {
        return Err(Error::store(format!(
            "the token cache path {} is not a directory; remove it or choose another `cache_dir`",
            dir.display()
        )));
    }
    let me = my_uid();
    if meta.uid() != me {
        return Err(Error::store(format!(
            "the token cache directory {} belongs to uid {}, not to you (uid {me}); tokens are only kept in a \
             directory of your own: chown {me} {} (or choose another `cache_dir` / AUTHTOKEN_CACHE_DIR)",
            dir.display(),
            meta.uid(),
            dir.display()
        )));
    }
    let mode = meta.permissions().mode() & 0o7777;
    if mode & 0o077 != 0 {
        return Err(Error::store(format!(
            "the token cache directory {} has mode {mode:04o}: other users can reach it; it must be 0700: chmod 700 {}",
            dir.display(),
            dir.display()
        )));
    }
    Ok(())
}

/// Reads one private file of the store (`what`: `token cache entry`, `login refusal record`):
/// `Ok(None)` when absent, unreadable or oversized (with a warning); an error when it is
/// unsafe (a link, another user's file, open to others).
fn read_private(path: &Path, what: &str) -> Result<Option<zeroize::Zeroizing<Vec<u8>>>> {
    let file = match OpenOptions::new()
        .read(true)
        .custom_flags(libc::O_NOFOLLOW | libc::O_NONBLOCK)
        .open(path)
    {
        Ok(f) => f,
        Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok(None),
        Err(e) if e.raw_os_error() == Some(libc::ELOOP) => {
            return Err(Error::store(format!(
                "the {what} {} is a symbolic link; entries must be regular files: rm {}",
                path.display(),
                path.display()
            )))
        }
        Err(e) => {
            return Err(Error::store(format!(
                "cannot read the {what} {}: {e}",
                path.display()
            )))
        }
    };
    // The checks use the opened file, so the file read is the file checked.
    let meta = file
        .metadata()
        .map_err(|e| Error::store(format!("cannot read the {what} {}: {e}", path.display())))?;
    if !meta.is_file() {
        return Err(Error::store(format!(
            "the {what} {} is not a regular file: rm {}",
            path.display(),
            path.display()
        )));
    }
    let me = my_uid();
    if meta.uid() != me {
        return Err(Error::store(format!(
            "the {what} {} belongs to uid {}, not to you (uid {me}); refusing to use it: rm {}",
            path.display(),
            meta.uid(),
            path.display()
        )));
    }
    let mode = meta.permissions().mode() & 0o7777;
    if mode & 0o077 != 0 {
        return Err(Error::store(format!(
            "the {what} {} has mode {mode:04o}: other users can read the token; \
             it must be 0600: chmod 600 {} (and consider logging out that token)",
            path.display(),
            path.display()
        )));
    }
    let mut bytes = zeroize::Zeroizing::new(Vec::with_capacity(
        meta.len().min(MAX_ENTRY_BYTES) as usize + 1,
    ));
    if let Err(e) = file.take(MAX_ENTRY_BYTES + 1).read_to_end(&mut bytes) {
        log::warn!(
            "authtoken: ignoring the unreadable {what} {}: {e}",
            path.display()
        );
        return Ok(None);
    }
    if bytes.len() as u64 > MAX_ENTRY_BYTES {
        log::warn!(
            "authtoken: ignoring the oversized {what} {}",
            path.display()
        );
        return Ok(None);
    }
    Ok(Some(bytes))
}

/// Reads one entry: `Ok(None)` when absent, unreadable as an entry, or of another version;
/// an error when it is unsafe (a link, another user's file, open to others).
fn read_entry(path: &Path) -> Result<Option<Entry>> {
    let Some(bytes) = read_private(path, "token cache entry")? else {
        return Ok(None);
    };
    let entry = Entry::from_json(&bytes);
    if entry.is_none() {
        log::warn!(
            "authtoken: ignoring the token cache entry {} (corrupt, or written by another version); \
             it will be replaced at the next login",
            path.display()
        );
    }
    Ok(entry)
}

/// Reads one refusal record: `Ok(None)` when absent or unusable (with a warning naming the
/// file: a damaged record costs a login attempt, never a lock-out); an error when unsafe.
fn read_refusal(path: &Path) -> Result<Option<Refusal>> {
    let Some(bytes) = read_private(path, "login refusal record")? else {
        return Ok(None);
    };
    match Refusal::from_json(&bytes) {
        Ok(r) => Ok(Some(r)),
        Err(why) => {
            log::warn!(
                "authtoken: ignoring the login refusal record {} ({why}); rm {} to silence this",
                path.display(),
                path.display()
            );
            Ok(None)
        }
    }
}

/// Makes a rename or unlink in `dir` durable. Best effort: the rename itself is already
/// atomic for every reader.
fn sync_dir(dir: &Path) {
    if let Err(e) = File::open(dir).and_then(|d| d.sync_all()) {
        log::debug!("authtoken: fsync of {} failed: {e}", dir.display());
    }
}

/// A held `flock(2)` on a lock file; released when dropped, or by the kernel when the
/// process dies.
struct FileLock {
    file: File,
    path: PathBuf,
}

impl LockGuard for FileLock {}

impl Drop for FileLock {
    fn drop(&mut self) {
        HELD.lock()
            .unwrap_or_else(PoisonError::into_inner)
            .remove(&self.path);
        // Closing the file releases the lock too; unlocking first makes it explicit.
        if let Err(e) = fs4::FileExt::unlock(&self.file) {
            log::debug!("authtoken: unlocking {} failed: {e}", self.path.display());
        }
    }
}

impl TokenStore for FileStore {
    fn load(&self, key: &CacheKey) -> Result<Option<Entry>> {
        check_dir(&self.dir)?;
        read_entry(&self.entry_path(key))
    }

    fn save(&self, key: &CacheKey, entry: &Entry) -> Result<()> {
        let path = self.entry_path(key);
        self.write_atomically(key, &path, &entry.to_json(), "token cache entry")
    }

    fn remove(&self, key: &CacheKey, only_token: Option<&str>) -> Result<bool> {
        let path = self.entry_path(key);
        let Some(token) = only_token else {
            check_dir(&self.dir)?;
            return self.unlink(&path);
        };
        // Compare-and-delete under the login lock: a login in another process cannot save a
        // new token between the comparison and the unlink.
        let _lock = if self.held_by_this_thread(key) {
            None
        } else {
            Some(self.take_lock(key, self.lock_timeout)?)
        };
        match read_entry(&path)? {
            Some(entry) if entry.token.as_str() == token => self.unlink(&path),
            _ => Ok(false),
        }
    }

    fn lock(&self, key: &CacheKey, timeout: Duration) -> Result<Box<dyn LockGuard>> {
        Ok(Box::new(self.take_lock(key, timeout)?))
    }

    fn list(&self) -> Result<Vec<Entry>> {
        check_dir(&self.dir)?;
        let dir = fs::read_dir(&self.dir)
            .map_err(|e| Error::store(format!("cannot list {}: {e}", self.dir.display())))?;
        let mut entries = Vec::new();
        for item in dir.flatten() {
            let name = item.file_name();
            let name = name.to_string_lossy();
            let is_entry = name
                .strip_suffix(".json")
                .is_some_and(|id| id.len() == 64 && id.bytes().all(|b| b.is_ascii_hexdigit()));
            if is_entry {
                if let Some(entry) = read_entry(&item.path())? {
                    entries.push(entry);
                }
            }
        }
        Ok(entries)
    }

    fn load_refusal(&self, key: &CacheKey) -> Result<Option<Refusal>> {
        check_dir(&self.dir)?;
        let path = self.refusal_path(key);
        Ok(read_refusal(&path)?.filter(|r| {
            let mine = r.matches(key);
            if !mine {
                log::warn!(
                    "authtoken: ignoring the login refusal record {}: it is for another identity",
                    path.display()
                );
            }
            mine
        }))
    }

    fn save_refusal(&self, key: &CacheKey, refusal: &Refusal) -> Result<()> {
        let path = self.refusal_path(key);
        self.write_atomically(key, &path, &refusal.to_json(), "login refusal record")
    }

    fn remove_refusal(&self, key: &CacheKey) -> Result<bool> {
        check_dir(&self.dir)?;
        self.unlink(&self.refusal_path(key))
    }

    fn list_refusals(&self) -> Result<Vec<Refusal>> {
        check_dir(&self.dir)?;
        let dir = fs::read_dir(&self.dir)
            .map_err(|e| Error::store(format!("cannot list {}: {e}", self.dir.display())))?;
        let mut found = Vec::new();
        for item in dir.flatten() {
            let name = item.file_name();
            let is_record = name
                .to_string_lossy()
                .strip_suffix(".refusal.json")
                .is_some_and(|id| id.len() == 64 && id.bytes().all(|b| b.is_ascii_hexdigit()));
            if is_record {
                found.extend(read_refusal(&item.path())?);
            }
        }
        Ok(found)
    }

    fn describe(&self) -> String {
        format!("file:{}", self.dir.display())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn key(user: &str) -> CacheKey {
        CacheKey {
            provider: "tpstreams".into(),
            base_url: "http://127.0.0.1:1/tpstreams".into(),
            username: user.into(),
            organization: Some("org".into()),
        }
    }

    fn entry(key: &CacheKey, token: &str) -> Entry {
        Entry {
            version: super::super::ENTRY_VERSION,
            provider: key.provider.clone(),
            base_url: key.base_url.clone(),
            username: key.username.clone(),
            organization: key.organization.clone(),
            token: zeroize::Zeroizing::new(token.into()),
            obtained_at: 1_700_000_000,
            expires_at: Some(1_700_036_000),
        }
    }

    #[test]
    fn compare_and_delete_inside_the_lock_of_the_same_thread_does_not_wait() {
        let tmp = tempfile::tempdir().unwrap();
        let store = FileStore::open(tmp.path().join("c"), Duration::from_millis(200)).unwrap();
        let k = key("reentrant");
        store.save(&k, &entry(&k, "tok-1")).unwrap();
        let guard = store.lock(&k, Duration::from_secs(1)).unwrap();
        // Without the held-lock registry this would wait 200 ms and fail with LockTimeout.
        assert!(store.remove(&k, Some("tok-1")).unwrap());
        drop(guard);
        assert!(HELD.lock().unwrap().get(&store.lock_path(&k)).is_none());
    }

    #[test]
    fn temporaries_are_named_so_that_list_ignores_them() {
        let tmp = tempfile::tempdir().unwrap();
        let store = FileStore::open(tmp.path().join("c"), Duration::from_secs(1)).unwrap();
        let k = key("temps");
        let stale = store.dir().join(format!(".{}.abcdef.tmp", k.id()));
        fs::write(&stale, b"{\"version\": 1, \"tok").unwrap();
        let old = SystemTime::now() - Duration::from_secs(3600);
        File::options()
            .write(true)
            .open(&stale)
            .unwrap()
            .set_modified(old)
            .unwrap();
        assert!(store.list().unwrap().is_empty());
        store.save(&k, &entry(&k, "tok-2")).unwrap();
        assert!(
            !stale.exists(),
            "a stale temporary is swept by the next save"
        );
        assert_eq!(store.list().unwrap().len(), 1);
    }
}
