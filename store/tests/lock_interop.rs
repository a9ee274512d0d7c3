//! Cross-process lock exclusion (fcntl byte-0 lock, like Java's FileChannel.tryLock(0, 1,
//! false)). Uses python3's fcntl.lockf (also a POSIX record lock) as the "other process".

use std::process::Command;

use store::lock::StoreLock;
use store::StoreError;

fn python() -> bool {
    Command::new("python3")
        .arg("-c")
        .arg("import fcntl")
        .status()
        .map(|s| s.success())
        .unwrap_or(false)
}

#[test]
fn other_process_is_excluded_and_excludes_us() {
    if !python() {
        eprintln!("python3 not available; skipping");
        return;
    }
    let d = tempfile::tempdir().unwrap();
    let p = d.path().join("lock");
    let held = StoreLock::acquire(&p).unwrap();
    let script = "import fcntl,sys\nf=open(sys.argv[1],'r+')\ntry:\n  fcntl.lockf(f, fcntl.LOCK_EX|fcntl.LOCK_NB, 1, 0)\n  print('got')\nexcept OSError:\n  print('busy')\n";
    let out = Command::new("python3")
        .arg("-c")
        .arg(script)
        .arg(&p)
        .output()
        .unwrap();
    assert_eq!(String::from_utf8_lossy(&out.stdout).trim(), "busy");
    drop(held);
    let out = Command::new("python3")
        .arg("-c")
        .arg(script)
        .arg(&p)
        .output()
        .unwrap();
    assert_eq!(String::from_utf8_lossy(&out.stdout).trim(), "got");

    // the other process holds it: we must fail
    let hold = "import fcntl,sys,time\nf=open(sys.argv[1],'r+')\nfcntl.lockf(f, fcntl.LOCK_EX, 1, 0)\nprint('locked', flush=True)\ntime.sleep(3)\n";
    let mut child = Command::new("python3")
        .arg("-c")
        .arg(hold)
        .arg(&p)
        .stdout(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    let mut line = String::new();
    use std::io::BufRead;
    std::io::BufReader::new(child.stdout.take().unwrap())
        .read_line(&mut line)
        .unwrap();
    assert_eq!(line.trim(), "locked");
    assert!(StoreLock::is_locked_by_other(&p).unwrap());
    assert!(matches!(StoreLock::acquire(&p), Err(StoreError::Locked(_))));
    child.kill().unwrap();
    child.wait().unwrap();
    assert!(StoreLock::acquire(&p).is_ok());
}
