//! Cold-start harness (issue #16): how long a function takes to start and answer, and how much
//! memory it holds, measured the way Lambda runs it, on one machine and without AWS.
//!
//! Lambda starts a function's process, which asks the Runtime API for an event
//! (`GET /2018-06-01/runtime/invocation/next`) and posts its answer (`.../{id}/response`, or
//! `.../{id}/error`, or `/init/error` when it cannot start). This binary plays that API on
//! 127.0.0.1 (a fresh port for every run), spawns each target's command with a clean environment
//! like Lambda's (`AWS_LAMBDA_RUNTIME_API`, function name, memory size, region, dummy credentials,
//! plus what `--env` and the target add: the table, the bucket, an emulator's endpoint), hands it
//! one event file `--invokes` times, and measures:
//! - init: from spawning the process to its first `next` request (what Lambda bills as Init);
//! - invoke 1 and the last invoke: from handing out the event to receiving its answer (the first
//!   pays for whatever the function does lazily: connections, credentials; the last is warm);
//! - peak RSS: `VmHWM` of `/proc/PID/status`, read after the last answer, before the process is
//!   killed (SIGKILL).
//!
//! Runs are interleaved (every target's run 1, then every target's run 2, ...) so a change in the
//! machine's load falls on all targets alike. An `/error` answer, an init error, the process
//! exiting or a timeout fails that run, reported with the answer and the end of the process's
//! output. The table gives min / median / max per target and, when the run includes the bare
//! `lambda_http` hello-world (`--floor NAME`) and the Node.js twin (`--node NAME`), each target's
//! median init as a multiple of the floor's and the Node twin's as a multiple of the target's,
//! with PASS/MISS against the issue's targets (`INIT_VS_FLOOR`, `NODE_VS_INIT`, `RSS_LIMIT_MB`).
//! `scripts/bench coldstart` builds the functions, starts moto and runs this over all of them.

use std::collections::HashMap;
use std::path::Path as FsPath;
use std::process::Stdio;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use anyhow::{Context, bail};
use axum::Router;
use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use clap::Parser;
use serde_json::Value;
use tokio::io::{AsyncRead, AsyncReadExt};
use tokio::process::Command;
use tokio::sync::mpsc;

/// Issue #16's targets: median init within this multiple of the floor's...
const INIT_VS_FLOOR: f64 = 2.0;
/// ...at least this many times faster than the Node.js twin's...
const NODE_VS_INIT: f64 = 15.0;
/// ...and at most this peak RSS (MB, 10^6 bytes) after the invokes.
const RSS_LIMIT_MB: f64 = 25.0;
/// How much of a process's output (stdout and stderr together) a failed run reports.
const OUTPUT_KEPT: usize = 2048;
const RUNTIME: &str = "/2018-06-01/runtime";

#[derive(Parser)]
#[command(about = "Times Lambda functions' cold starts against a local Runtime API (issue #16)")]
struct Args {
    /// `NAME:EVENT:COMMAND [ARGS...]`: the function's name, the JSON event file every invoke gets,
    /// and the command (split on spaces, no shell). Leading `K=V` words of COMMAND are set in
    /// this target's environment only, e.g. `node:e.json:_HANDLER=index.handler node boot.mjs`.
    #[arg(long = "target", required = true, value_parser = parse_target)]
    targets: Vec<Target>,
    /// `K=V` set in every target's environment, after the harness's Lambda defaults.
    #[arg(long = "env", value_parser = parse_pair)]
    env: Vec<(String, String)>,
    /// Runs (fresh processes) per target.
    #[arg(long, default_value_t = 7, value_parser = clap::value_parser!(u32).range(1..=1000))]
    runs: u32,
    /// Invokes per run; the table shows the first and the last.
    #[arg(long, default_value_t = 10, value_parser = clap::value_parser!(u32).range(1..=1000))]
    invokes: u32,
    /// Seconds a run may take from spawn to its last answer before it fails.
    #[arg(long, default_value_t = 30)]
    timeout: u64,
    /// `AWS_LAMBDA_FUNCTION_MEMORY_SIZE` (MB).
    #[arg(long, default_value_t = 512)]
    memory_mb: u32,
    /// The target that is the floor (the bare `lambda_http` hello-world).
    #[arg(long)]
    floor: Option<String>,
    /// The target that is the Node.js twin.
    #[arg(long)]
    node: Option<String>,
}

#[derive(Clone, Debug)]
struct Target {
    name: String,
    event: Bytes,
    program: String,
    args: Vec<String>,
    env: Vec<(String, String)>,
}

fn parse_pair(s: &str) -> Result<(String, String), String> {
    match s.split_once('=') {
        Some((k, v)) if !k.is_empty() && k.chars().all(|c| c.is_ascii_alphanumeric() || c == '_') => {
            Ok((k.to_string(), v.to_string()))
        }
        _ => Err(format!("'{s}' is not NAME=VALUE")),
    }
}

fn parse_target(spec: &str) -> Result<Target, String> {
    let mut parts = spec.splitn(3, ':');
    let (Some(name), Some(event), Some(command)) = (parts.next(), parts.next(), parts.next()) else {
        return Err(format!("'{spec}' is not NAME:EVENT:COMMAND"));
    };
    if name.is_empty() || !name.chars().all(|c| c.is_ascii_alphanumeric() || "-_.".contains(c)) {
        return Err(format!("'{name}' is not a function name (letters, digits, - _ .)"));
    }
    let bytes = std::fs::read(event).map_err(|e| format!("reading the event {event}: {e}"))?;
    serde_json::from_slice::<Value>(&bytes).map_err(|e| format!("the event {event} is not JSON: {e}"))?;
    let mut words = command.split_whitespace().peekable();
    let mut env = Vec::new();
    while let Some(pair) = words.peek().and_then(|w| parse_pair(w).ok()) {
        env.push(pair);
        words.next();
    }
    let program = words
        .next()
        .ok_or_else(|| format!("'{spec}' names no command"))?
        .to_string();
    Ok(Target {
        name: name.to_string(),
        event: bytes.into(),
        program,
        args: words.map(String::from).collect(),
        env,
    })
}

/// One run's Runtime API: the event to hand out, and when each step happened.
struct Invocations {
    event: Bytes,
    invokes: usize,
    arn: String,
    deadline: Duration,
    progress: Mutex<Progress>,
    answers: mpsc::UnboundedSender<Signal>,
}

#[derive(Default)]
struct Progress {
    first_next: Option<Instant>,
    /// When each event was handed out, by invoke.
    handed: Vec<Instant>,
}

enum Signal {
    Answer {
        index: usize,
        at: Instant,
        error: bool,
        body: Bytes,
    },
    InitError(Bytes),
}

async fn next_invocation(State(rt): State<Arc<Invocations>>) -> Response {
    let arrived = Instant::now();
    let index = {
        let mut p = rt.progress.lock().unwrap_or_else(|e| e.into_inner());
        p.first_next.get_or_insert(arrived);
        (p.handed.len() < rt.invokes).then(|| {
            p.handed.push(Instant::now());
            p.handed.len() - 1
        })
    };
    let Some(index) = index else {
        // Every event handed out: the function waits here, as in Lambda, until it is killed.
        return std::future::pending().await;
    };
    let deadline = SystemTime::now().duration_since(UNIX_EPOCH).unwrap_or_default() + rt.deadline;
    let headers = [
        ("lambda-runtime-aws-request-id", format!("coldstart-{index}")),
        ("lambda-runtime-deadline-ms", deadline.as_millis().to_string()),
        ("lambda-runtime-invoked-function-arn", rt.arn.clone()),
        (
            "lambda-runtime-trace-id",
            format!("Root=1-00000000-{index:024x};Sampled=0"),
        ),
        ("content-type", "application/json".to_string()),
    ];
    (headers, rt.event.clone()).into_response()
}

/// Records the answer to an event handed out; an id never handed out is refused.
fn answer(rt: &Invocations, id: &str, error: bool, body: Bytes) -> StatusCode {
    let at = Instant::now();
    let handed = rt.progress.lock().unwrap_or_else(|e| e.into_inner()).handed.len();
    match id.strip_prefix("coldstart-").and_then(|i| i.parse().ok()) {
        Some(index) if index < handed => {
            let _ = rt.answers.send(Signal::Answer { index, at, error, body });
            StatusCode::ACCEPTED
        }
        _ => StatusCode::BAD_REQUEST,
    }
}

async fn response(State(rt): State<Arc<Invocations>>, Path(id): Path<String>, body: Bytes) -> StatusCode {
    answer(&rt, &id, false, body)
}

async fn error(State(rt): State<Arc<Invocations>>, Path(id): Path<String>, body: Bytes) -> StatusCode {
    answer(&rt, &id, true, body)
}

async fn init_error(State(rt): State<Arc<Invocations>>, body: Bytes) -> StatusCode {
    let _ = rt.answers.send(Signal::InitError(body));
    StatusCode::ACCEPTED
}

/// One successful run's figures.
struct Sample {
    init_ms: f64,
    first_ms: f64,
    last_ms: f64,
    rss_mb: f64,
    /// The first answer's `statusCode` (HTTP functions), else `-`.
    status: String,
}

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1000.0
}

/// Keeps the last [`OUTPUT_KEPT`] bytes a pipe of the process carries.
fn capture(mut pipe: impl AsyncRead + Unpin + Send + 'static, kept: Arc<Mutex<Vec<u8>>>) {
    tokio::spawn(async move {
        let mut buf = [0u8; 8192];
        while let Ok(n @ 1..) = pipe.read(&mut buf).await {
            let mut k = kept.lock().unwrap_or_else(|e| e.into_inner());
            k.extend_from_slice(&buf[..n]);
            let excess = k.len().saturating_sub(OUTPUT_KEPT);
            k.drain(..excess);
        }
    });
}

/// `VmHWM` (peak resident set) of a running process, in MB (10^6 bytes).
fn peak_rss_mb(pid: u32) -> anyhow::Result<f64> {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status"))?;
    let kb: f64 = status
        .lines()
        .find_map(|l| l.strip_prefix("VmHWM:"))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
        .context("no VmHWM in /proc/PID/status")?;
    Ok(kb * 1024.0 / 1e6)
}

fn text(body: &[u8]) -> String {
    String::from_utf8_lossy(body).chars().take(1000).collect()
}

async fn run_once(args: &Args, target: &Target, run: u32) -> anyhow::Result<Sample> {
    let region = (args.env.iter().chain(&target.env).rev())
        .find(|(k, _)| k == "AWS_REGION")
        .map_or("us-east-1", |(_, v)| v.as_str());
    let (tx, mut answers) = mpsc::unbounded_channel();
    let rt = Arc::new(Invocations {
        event: target.event.clone(),
        invokes: args.invokes as usize,
        arn: format!("arn:aws:lambda:{region}:111122223333:function:{}", target.name),
        deadline: Duration::from_secs(args.timeout),
        progress: Mutex::default(),
        answers: tx,
    });
    let app = Router::new()
        .route(&format!("{RUNTIME}/invocation/next"), get(next_invocation))
        .route(&format!("{RUNTIME}/invocation/{{id}}/response"), post(response))
        .route(&format!("{RUNTIME}/invocation/{{id}}/error"), post(error))
        .route(&format!("{RUNTIME}/init/error"), post(init_error))
        .with_state(rt.clone());
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
    let addr = listener.local_addr()?;
    let server = tokio::spawn(async move { axum::serve(listener, app).await });

    let task_root = FsPath::new(&target.program)
        .parent()
        .filter(|p| !p.as_os_str().is_empty())
        .map_or_else(|| ".".into(), |p| p.display().to_string());
    let name = &target.name;
    let defaults = [
        ("PATH", std::env::var("PATH").unwrap_or_default()),
        ("TZ", ":UTC".into()),
        ("LANG", "en_US.UTF-8".into()),
        ("AWS_LAMBDA_RUNTIME_API", addr.to_string()),
        ("AWS_LAMBDA_FUNCTION_NAME", name.clone()),
        ("AWS_LAMBDA_FUNCTION_MEMORY_SIZE", args.memory_mb.to_string()),
        ("AWS_LAMBDA_FUNCTION_VERSION", "$LATEST".into()),
        ("AWS_LAMBDA_LOG_GROUP_NAME", format!("/aws/lambda/{name}")),
        ("AWS_LAMBDA_LOG_STREAM_NAME", format!("coldstart/[$LATEST]run{run}")),
        ("AWS_REGION", region.into()),
        ("AWS_DEFAULT_REGION", region.into()),
        ("AWS_ACCESS_KEY_ID", "testing".into()),
        ("AWS_SECRET_ACCESS_KEY", "testing".into()),
        ("AWS_SESSION_TOKEN", "testing".into()),
        ("LAMBDA_TASK_ROOT", task_root),
        ("_HANDLER", "bootstrap".into()),
    ];
    let mut command = Command::new(&target.program);
    command
        .args(&target.args)
        .env_clear()
        .envs(defaults)
        .envs(args.env.iter().chain(&target.env).cloned())
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .kill_on_drop(true);
    let spawned = Instant::now();
    let mut child = command
        .spawn()
        .with_context(|| format!("starting {}", target.program))?;
    let pid = child.id().context("the process has no id")?;
    let output = Arc::new(Mutex::new(Vec::new()));
    capture(child.stdout.take().context("no stdout")?, output.clone());
    capture(child.stderr.take().context("no stderr")?, output.clone());

    let timeout = tokio::time::sleep(Duration::from_secs(args.timeout));
    tokio::pin!(timeout);
    let mut answered: Vec<Option<(Instant, Bytes)>> = vec![None; args.invokes as usize];
    let outcome = loop {
        let count = answered.iter().flatten().count();
        if count == answered.len() {
            break peak_rss_mb(pid);
        }
        tokio::select! {
            signal = answers.recv() => match signal {
                Some(Signal::Answer { index, error: true, body, .. }) => {
                    break Err(anyhow::anyhow!("invoke {} answered /error: {}", index + 1, text(&body)));
                }
                Some(Signal::Answer { index, at, body, .. }) => answered[index] = Some((at, body)),
                Some(Signal::InitError(body)) => break Err(anyhow::anyhow!("init error: {}", text(&body))),
                None => break Err(anyhow::anyhow!("the Runtime API stopped")),
            },
            status = child.wait() => {
                break Err(anyhow::anyhow!("the process exited ({}) after {count} answers", status?));
            }
            _ = &mut timeout => {
                break Err(anyhow::anyhow!("timed out after {} s with {count} answers", args.timeout));
            }
        }
    };
    let _ = child.kill().await;
    server.abort();
    let rss_mb = outcome.map_err(|e| {
        let out = output.lock().unwrap_or_else(|e| e.into_inner());
        anyhow::anyhow!(
            "{e:#}\n  its output ends:\n{}",
            String::from_utf8_lossy(&out).trim_end()
        )
    })?;

    let progress = rt.progress.lock().unwrap_or_else(|e| e.into_inner());
    let first_next = progress.first_next.context("no next request")?;
    let took = |i: usize| -> anyhow::Result<f64> {
        let (at, _) = answered[i].as_ref().context("unanswered")?;
        Ok(ms(at.duration_since(progress.handed[i])))
    };
    let first_body = answered[0].as_ref().map(|(_, b)| b.clone()).unwrap_or_default();
    let status = serde_json::from_slice::<Value>(&first_body)
        .ok()
        .and_then(|v| v.get("statusCode").map(Value::to_string))
        .unwrap_or_else(|| "-".into());
    Ok(Sample {
        init_ms: ms(first_next.duration_since(spawned)),
        first_ms: took(0)?,
        last_ms: took(answered.len() - 1)?,
        rss_mb,
        status,
    })
}

/// (min, median, max) of a non-empty list.
fn spread(mut v: Vec<f64>) -> (f64, f64, f64) {
    v.sort_by(f64::total_cmp);
    let n = v.len();
    let median = if n % 2 == 1 {
        v[n / 2]
    } else {
        (v[n / 2 - 1] + v[n / 2]) / 2.0
    };
    (v[0], median, v[n - 1])
}

fn median(samples: &[Sample], f: impl Fn(&Sample) -> f64) -> f64 {
    spread(samples.iter().map(f).collect()).1
}

/// `PASS what`, `MISS what`, or `n/a  what` when the run lacks the reference.
fn verdict(pass: Option<bool>, what: &str) -> String {
    match pass {
        Some(true) => format!("PASS {what}"),
        Some(false) => format!("MISS {what}"),
        None => format!("n/a  {what}"),
    }
}

fn machine() -> String {
    let read = |p: &str| std::fs::read_to_string(p).unwrap_or_default();
    let cpuinfo = read("/proc/cpuinfo");
    let cpu = cpuinfo
        .lines()
        .find(|l| l.starts_with("model name") || l.starts_with("Model"))
        .and_then(|l| l.split_once(':'))
        .map_or("unknown CPU", |(_, v)| v.trim());
    let cores = std::thread::available_parallelism().map_or(0, |n| n.get());
    let loadavg = read("/proc/loadavg");
    let load: Vec<&str> = loadavg.split_whitespace().take(3).collect();
    format!(
        "machine: {cores} cores, {cpu}, Linux {}, load average {}",
        read("/proc/sys/kernel/osrelease").trim(),
        load.join(" ")
    )
}

#[tokio::main(flavor = "current_thread")]
async fn main() -> anyhow::Result<()> {
    let args = Args::parse();
    for role in [&args.floor, &args.node].into_iter().flatten() {
        if !args.targets.iter().any(|t| &t.name == role) {
            bail!("--floor/--node name '{role}', which is not a --target");
        }
    }
    println!("{}", machine());
    let mut samples: HashMap<&str, Vec<Sample>> = HashMap::new();
    let mut failed = 0;
    for run in 1..=args.runs {
        for t in &args.targets {
            match run_once(&args, t, run).await {
                Ok(s) => samples.entry(&t.name).or_default().push(s),
                Err(e) => {
                    failed += 1;
                    eprintln!("{} run {run}: FAILED: {e:#}", t.name);
                }
            }
        }
        eprintln!("run {run}/{} done", args.runs);
    }

    let init_of = |name: &Option<String>| {
        name.as_deref()
            .and_then(|n| samples.get(n))
            .filter(|s| !s.is_empty())
            .map(|s| median(s, |x| x.init_ms))
    };
    let (floor, node) = (init_of(&args.floor), init_of(&args.node));
    println!(
        "\n{} runs per target (interleaved), {} invokes per run, {} MB; medians unless min / median / max",
        args.runs, args.invokes, args.memory_mb
    );
    let last = format!("invoke {} ms", args.invokes);
    println!(
        "{:<20} {:>5} {:>26} {:>12} {last:>13} {:>11} {:>6} {:>8} {:>11}",
        "target", "ok", "init ms min / med / max", "invoke 1 ms", "peak RSS MB", "status", "x floor", "node / this"
    );
    let mut verdicts = Vec::new();
    for t in &args.targets {
        let runs = samples.get(t.name.as_str()).map_or(&[][..], Vec::as_slice);
        let ok = format!("{}/{}", runs.len(), args.runs);
        if runs.is_empty() {
            println!("{:<20} {ok:>5} every run failed", t.name);
            continue;
        }
        let (lo, init, hi) = spread(runs.iter().map(|x| x.init_ms).collect());
        let rss = median(runs, |x| x.rss_mb);
        let mut statuses: Vec<&str> = runs.iter().map(|x| x.status.as_str()).collect();
        statuses.sort_unstable();
        statuses.dedup();
        let ratio = |r: Option<f64>| r.map_or("-".into(), |r| format!("{r:.1}x"));
        println!(
            "{:<20} {ok:>5} {:>26} {:>12.1} {:>13.1} {rss:>11.1} {:>6} {:>8} {:>11}",
            t.name,
            format!("{lo:.1} / {init:.1} / {hi:.1}"),
            median(runs, |x| x.first_ms),
            median(runs, |x| x.last_ms),
            statuses.join(","),
            ratio(floor.map(|f| init / f)),
            ratio(node.map(|n| n / init)),
        );
        if [&args.floor, &args.node].contains(&&Some(t.name.clone())) {
            continue;
        }
        verdicts.push(format!(
            "{:<20} {:<28} {:<32} {}",
            t.name,
            verdict(
                floor.map(|f| init <= INIT_VS_FLOOR * f),
                &format!("init <= {INIT_VS_FLOOR}x floor")
            ),
            verdict(
                node.map(|n| n >= NODE_VS_INIT * init),
                &format!(">= {NODE_VS_INIT}x faster than Node")
            ),
            verdict(Some(rss <= RSS_LIMIT_MB), &format!("peak RSS <= {RSS_LIMIT_MB} MB")),
        ));
    }
    if !verdicts.is_empty() {
        println!("\ntargets (issue #16)");
        verdicts.iter().for_each(|v| println!("{v}"));
    }
    if failed > 0 {
        eprintln!("{failed} run(s) failed (above)");
        std::process::exit(1);
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_target_spec_splits_into_name_event_env_and_command() {
        let event = std::env::temp_dir().join(format!("coldstart-test-{}.json", std::process::id()));
        std::fs::write(&event, r#"{"job": "x"}"#).unwrap();
        let e = event.display();
        let t = parse_target(&format!(
            "node:{e}:_HANDLER=index.handler A=b=c node /x/boot.mjs --flag"
        ))
        .unwrap();
        assert_eq!(t.name, "node");
        assert_eq!(&t.event[..], br#"{"job": "x"}"#);
        assert_eq!(
            t.env,
            [("_HANDLER".into(), "index.handler".into()), ("A".into(), "b=c".into())]
        );
        assert_eq!(t.program, "node");
        assert_eq!(t.args, ["/x/boot.mjs", "--flag"]);
        for bad in [
            "node",
            &format!("node:{e}:"),
            &format!("no de:{e}:x"),
            "n:/nonexistent.json:x",
        ] {
            assert!(parse_target(bad).is_err(), "{bad}");
        }
        std::fs::write(&event, "not json").unwrap();
        assert!(parse_target(&format!("n:{e}:x")).unwrap_err().contains("not JSON"));
        std::fs::remove_file(&event).unwrap();
    }

    #[test]
    fn spread_gives_min_median_and_max() {
        assert_eq!(spread(vec![3.0, 1.0, 2.0]), (1.0, 2.0, 3.0));
        assert_eq!(spread(vec![4.0, 1.0, 2.0, 3.0]), (1.0, 2.5, 4.0));
        assert_eq!(spread(vec![5.0]), (5.0, 5.0, 5.0));
    }

    #[test]
    fn pairs_need_a_variable_name() {
        assert_eq!(parse_pair("K_1=v=w").unwrap(), ("K_1".into(), "v=w".into()));
        assert!(parse_pair("=v").is_err());
        assert!(parse_pair("/usr/bin/node").is_err());
        assert!(parse_pair("a-b=c").is_err());
    }

    /// A process that never asks for an event, or stops, fails its run with the reason.
    #[tokio::test(flavor = "current_thread")]
    async fn a_run_fails_on_exit_or_timeout_instead_of_hanging() {
        let event = std::env::temp_dir().join(format!("coldstart-run-{}.json", std::process::id()));
        std::fs::write(&event, "{}").unwrap();
        let e = event.display().to_string();
        let args = Args::parse_from([
            "coldstart",
            "--timeout",
            "1",
            "--target",
            &format!("a:{e}:sh -c exit"),
            "--target",
            &format!("b:{e}:sleep 10"),
        ]);
        let exited = run_once(&args, &args.targets[0], 1).await.err().unwrap();
        assert!(format!("{exited:#}").contains("exited"), "{exited:#}");
        let started = Instant::now();
        let timed_out = run_once(&args, &args.targets[1], 1).await.err().unwrap();
        assert!(
            format!("{timed_out:#}").contains("timed out after 1 s with 0 answers"),
            "{timed_out:#}"
        );
        assert!(started.elapsed() < Duration::from_secs(5));
        std::fs::remove_file(&event).unwrap();
    }
}
