//! Running a parse of hostile input in a child process, the two halves of it:
//!
//! - the child lowers its own limits with [`restrict`] before it reads a byte (and `exec`s
//!   the real parser, which inherits them, or parses itself);
//! - the parent starts it with [`run`], feeds it its input, and reads its output under a
//!   wall-clock limit and a byte cap, killing it when either runs out.
//!
//! A crash, a runaway loop or an exhausted limit ends the child only; the parent's memory stays
//! bounded by the input and the capped output. Resume extraction (`viva-resumes`) and audio
//! decoding (`viva-media`) are the two users.

use std::process::{ExitStatus, Stdio};
use std::time::{Duration, Instant};

use rlimit::Resource;
use tokio::io::{AsyncRead, AsyncReadExt, AsyncWriteExt};
use tokio::process::{Child, Command};

/// How long a killed child is waited for.
const REAP_WAIT: Duration = Duration::from_secs(2);

/// The limits a child sets on itself, in [`restrict`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Restrictions {
    /// Address space, in bytes (RLIMIT_AS).
    pub memory_bytes: u64,
    /// CPU time, in seconds: SIGXCPU at the limit, SIGKILL a second later.
    pub cpu_seconds: u64,
    /// Open descriptors.
    pub open_files: u64,
    /// Whether the child may start processes or threads. Root is exempt from this limit.
    pub new_processes: bool,
}

/// Lowers this process's limits (which `exec` keeps): the [`Restrictions`], plus no file
/// written at all (output goes to pipes) and no core dump.
pub fn restrict(restrictions: &Restrictions) -> std::io::Result<()> {
    Resource::AS.set(restrictions.memory_bytes, restrictions.memory_bytes)?;
    Resource::CPU.set(restrictions.cpu_seconds, restrictions.cpu_seconds.saturating_add(1))?;
    Resource::FSIZE.set(0, 0)?;
    Resource::NOFILE.set(restrictions.open_files, restrictions.open_files)?;
    if !restrictions.new_processes {
        Resource::NPROC.set(0, 0)?;
    }
    Resource::CORE.set(0, 0)?;
    Ok(())
}

/// What the parent bounds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Bounds {
    /// The longest the child may run, input and output included.
    pub wall_clock: Duration,
    /// The most standard output kept; more is an [`RunError::Overflow`].
    pub max_stdout: usize,
    /// How much of standard error is kept; the rest is read and dropped so the child never
    /// blocks on it.
    pub stderr_kept: usize,
}

/// What a child that ran to its end left.
#[derive(Debug)]
pub struct ChildOutput {
    /// How it ended.
    pub status: ExitStatus,
    /// Its standard output.
    pub stdout: Vec<u8>,
    /// The head of its standard error.
    pub stderr: Vec<u8>,
}

impl ChildOutput {
    /// Standard error as text.
    pub fn stderr(&self) -> String {
        String::from_utf8_lossy(&self.stderr).into_owned()
    }
}

/// Why a child was stopped, or could not be run.
#[derive(Debug)]
pub enum RunError {
    /// It ran past [`Bounds::wall_clock`] and was killed.
    Timeout,
    /// It wrote more than [`Bounds::max_stdout`] and was killed.
    Overflow,
    /// It could not be started.
    Start(std::io::Error),
    /// Its pipes failed.
    Io(std::io::Error),
}

impl std::fmt::Display for RunError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Self::Timeout => f.write_str("the child ran out of time"),
            Self::Overflow => f.write_str("the child wrote too much"),
            Self::Start(err) => write!(f, "cannot start the child: {err}"),
            Self::Io(err) => write!(f, "cannot talk to the child: {err}"),
        }
    }
}

impl std::error::Error for RunError {}

/// Starts `command` with a clean environment (only `PATH` and a UTF-8 locale), writes `input`
/// to its standard input, and collects its output within `bounds`. Dropping the future kills
/// the child.
pub async fn run(mut command: Command, input: &[u8], bounds: &Bounds) -> Result<ChildOutput, RunError> {
    let path = std::env::var_os("PATH").unwrap_or_else(|| "/usr/local/bin:/usr/bin:/bin".into());
    let mut child = command
        .env_clear()
        .env("PATH", path)
        .env("LC_ALL", "C.UTF-8")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .kill_on_drop(true)
        .spawn()
        .map_err(RunError::Start)?;
    let (Some(mut stdin), Some(stdout), Some(stderr)) =
        (child.stdin.take(), child.stdout.take(), child.stderr.take())
    else {
        kill(&mut child).await;
        return Err(RunError::Io(std::io::Error::other("the child's pipes are missing")));
    };
    let started = Instant::now();
    let io = async {
        let write = async {
            // A child that stops reading (it refused the input, or died) closes the pipe: that
            // is its exit status's to explain, not a failure here.
            let _ = stdin.write_all(input).await;
            let _ = stdin.shutdown().await;
            drop(stdin);
            Ok::<(), RunError>(())
        };
        tokio::try_join!(write, read_capped(stdout, bounds.max_stdout), read_head(stderr, bounds.stderr_kept))
    };
    let (stdout, stderr) = match tokio::time::timeout(bounds.wall_clock, io).await {
        Err(_) => {
            kill(&mut child).await;
            return Err(RunError::Timeout);
        }
        Ok(Err(err)) => {
            kill(&mut child).await;
            return Err(err);
        }
        Ok(Ok(((), stdout, stderr))) => (stdout, stderr),
    };
    let remaining = bounds.wall_clock.saturating_sub(started.elapsed());
    let status = match tokio::time::timeout(remaining, child.wait()).await {
        Err(_) => {
            kill(&mut child).await;
            return Err(RunError::Timeout);
        }
        Ok(Err(err)) => return Err(RunError::Io(err)),
        Ok(Ok(status)) => status,
    };
    Ok(ChildOutput { status, stdout, stderr })
}

async fn kill(child: &mut Child) {
    let _ = child.start_kill();
    let _ = tokio::time::timeout(REAP_WAIT, child.wait()).await;
}

/// Reads everything, failing as soon as there is more than `cap`.
async fn read_capped(reader: impl AsyncRead + Unpin, cap: usize) -> Result<Vec<u8>, RunError> {
    let mut buf = Vec::new();
    reader.take(cap as u64 + 1).read_to_end(&mut buf).await.map_err(RunError::Io)?;
    if buf.len() > cap {
        return Err(RunError::Overflow);
    }
    Ok(buf)
}

/// Reads everything, keeping the first `keep` bytes.
async fn read_head(mut reader: impl AsyncRead + Unpin, keep: usize) -> Result<Vec<u8>, RunError> {
    let mut head = Vec::new();
    let mut chunk = [0u8; 4096];
    loop {
        let read = reader.read(&mut chunk).await.map_err(RunError::Io)?;
        if read == 0 {
            return Ok(head);
        }
        let room = keep.saturating_sub(head.len()).min(read);
        head.extend_from_slice(&chunk[..room]);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn bounds(wall_clock: Duration, max_stdout: usize) -> Bounds {
        Bounds { wall_clock, max_stdout, stderr_kept: 64 }
    }

    #[tokio::test]
    async fn output_and_status_come_back() {
        let mut command = Command::new("sh");
        command.args(["-c", "cat; echo oops >&2; exit 3"]);
        let out = run(command, b"hello", &bounds(Duration::from_secs(5), 100)).await.unwrap();
        assert_eq!(out.stdout, b"hello");
        assert_eq!(out.stderr(), "oops\n");
        assert_eq!(out.status.code(), Some(3));
    }

    #[tokio::test]
    async fn a_child_that_writes_too_much_is_stopped() {
        let mut command = Command::new("sh");
        command.args(["-c", "yes"]);
        let err = run(command, b"", &bounds(Duration::from_secs(5), 1000)).await.unwrap_err();
        assert!(matches!(err, RunError::Overflow), "{err}");
    }

    #[tokio::test]
    async fn a_child_that_hangs_is_killed_at_the_wall_clock() {
        let mut command = Command::new("sleep");
        command.arg("30");
        let started = Instant::now();
        let err = run(command, b"", &bounds(Duration::from_millis(200), 10)).await.unwrap_err();
        assert!(matches!(err, RunError::Timeout), "{err}");
        assert!(started.elapsed() < Duration::from_secs(10));
    }

    #[tokio::test]
    async fn a_missing_program_is_a_start_error() {
        let command = Command::new("/nonexistent/viva-no-such-program");
        let err = run(command, b"", &bounds(Duration::from_secs(1), 10)).await.unwrap_err();
        assert!(matches!(err, RunError::Start(_)), "{err}");
    }
}
