"""Write the results of one `make bench` run: JSON for tools, Markdown for people.

    python3 tests/bench/report.py --out DIR --stamp STAMP --os OS --site-log LOG --rerun-log LOG --add-log LOG \
        --time site_s=N --time rerun_s=N --time add_worker_s=N --time raw_s=N --time raw_join_s=N

Reads the per-task timings ansible.posix.profile_tasks prints in each site.yml log and says
where the time went, by role. Writes DIR/bench-STAMP.json, DIR/bench-STAMP.md and
DIR/latest.json (the keys other tools read: raw_s, site_s, rerun_s, add_worker_s, raw_join_s).
"""

import argparse
import json
import os
import re
import sys

# profile_tasks prints, under each task header, the wall time of the task before it.
_TIMING = re.compile(r'\((\d+):(\d+):(\d+(?:\.\d+)?)\)\s+\d+:\d+:\d+(?:\.\d+)?\s')
_HEADER = re.compile(r'^(?:TASK|RUNNING HANDLER) \[(?P<name>.*)\]')
_ANSI = re.compile(r'\x1b\[[0-9;]*m')
KEYS = ('raw_s', 'site_s', 'rerun_s', 'add_worker_s', 'raw_join_s')


def task_durations(lines):
    """[(task name, seconds)] from an ansible-playbook log with profile_tasks timings."""
    durations = []
    pending = None  # the task header seen since the last timing line
    current = None  # the task whose wall time the next timing line reports
    for raw in lines:
        line = _ANSI.sub('', raw)
        header = _HEADER.match(line)
        if header:
            pending = header.group('name')
            continue
        match = _TIMING.search(line)
        if match:
            seconds = int(match.group(1)) * 3600 + int(match.group(2)) * 60 + float(match.group(3))
            if current is not None:
                durations.append((current, seconds))
            current, pending = pending, None
    return durations


def by_role(durations):
    """{role or 'playbook tasks': seconds}, largest first, rounded to 0.1 s."""
    totals = {}
    for name, seconds in durations:
        role, sep, _task = name.partition(' : ')
        key = role.rsplit('.', 1)[-1] if sep else 'playbook tasks'
        totals[key] = totals.get(key, 0.0) + seconds
    return dict(sorted(((k, round(v, 1)) for k, v in totals.items()), key=lambda kv: -kv[1]))


def summarize(times, logs):
    """The bench result: the five times, their ratios, and per-run task counts and time by role."""
    missing = [key for key in KEYS if key not in times]
    if missing:
        raise ValueError('missing times: %s' % ', '.join(missing))
    result = dict((key, times[key]) for key in KEYS)
    result['ratios'] = {
        'site_over_raw': round(times['site_s'] / times['raw_s'], 2),
        'rerun_over_site': round(times['rerun_s'] / times['site_s'], 2),
        'add_worker_over_raw_join': round(times['add_worker_s'] / times['raw_join_s'], 2),
    }
    result['runs'] = {}
    for run, lines in logs.items():
        durations = task_durations(lines)
        result['runs'][run] = {'tasks': len(durations), 'by_role': by_role(durations)}
    return result


def markdown(result, meta):
    """The run as a Markdown table, then the time by role of each site.yml run."""
    ratios = result['ratios']
    out = [
        '# make bench, %s (%s, load %s, %s cores, commit %s)' % (
            meta['stamp'], meta['os'], meta['load'], meta['cores'], meta['commit']),
        '',
        '| step | raw kubeadm | site.yml | site.yml / raw |',
        '|---|---|---|---|',
        '| fresh cp1 + w1 + w2 to Ready and CoreDNS answering | %s s | %s s | %.2f |' % (
            result['raw_s'], result['site_s'], ratios['site_over_raw']),
        '| rerun on the converged cluster (changed=0) | 0 s (nothing to type) | %s s | rerun / first run: %.2f |' % (
            result['rerun_s'], ratios['rerun_over_site']),
        '| add w3 | %s s | %s s | %.2f |' % (
            result['raw_join_s'], result['add_worker_s'], ratios['add_worker_over_raw_join']),
        '',
        '| where site.yml spent its time (s) | %s |' % ' | '.join(result['runs']),
        '|---|%s' % ('---|' * len(result['runs'])),
    ]
    roles = []
    for run in result['runs'].values():
        roles.extend(role for role in run['by_role'] if role not in roles)
    for role in roles:
        out.append('| %s | %s |' % (role, ' | '.join(
            str(run['by_role'].get(role, 0)) for run in result['runs'].values())))
    out.append('| task headers | %s |' % ' | '.join(str(run['tasks']) for run in result['runs'].values()))
    return '\n'.join(out) + '\n'


def _parse_time(text):
    key, sep, value = text.partition('=')
    if not sep or key not in KEYS:
        raise argparse.ArgumentTypeError('expected one of %s=SECONDS, got %r' % ('/'.join(KEYS), text))
    try:
        return key, int(value)
    except ValueError:
        raise argparse.ArgumentTypeError('%s: %r is not a whole number of seconds' % (key, value)) from None


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument('--out', required=True)
    parser.add_argument('--stamp', required=True)
    parser.add_argument('--os', required=True)
    parser.add_argument('--commit', default='unknown')
    parser.add_argument('--site-log', required=True)
    parser.add_argument('--rerun-log', required=True)
    parser.add_argument('--add-log', required=True)
    parser.add_argument('--time', type=_parse_time, action='append', default=[])
    args = parser.parse_args(argv)
    logs = {}
    for run, path in (('site', args.site_log), ('rerun', args.rerun_log), ('add', args.add_log)):
        with open(path, errors='replace') as handle:
            logs[run] = handle.read().splitlines()
    try:
        result = summarize(dict(args.time), logs)
    except ValueError as err:
        parser.error(str(err))
    with open('/proc/loadavg') as handle:
        load = ' '.join(handle.read().split()[:3])
    meta = {'stamp': args.stamp, 'os': args.os, 'commit': args.commit, 'load': load, 'cores': os.cpu_count()}
    result['meta'] = meta
    text = json.dumps(result, indent=2, sort_keys=True) + '\n'
    for name in ('bench-%s.json' % args.stamp, 'latest.json'):
        with open(os.path.join(args.out, name), 'w') as handle:
            handle.write(text)
    report = markdown(result, meta)
    with open(os.path.join(args.out, 'bench-%s.md' % args.stamp), 'w') as handle:
        handle.write(report)
    sys.stdout.write(report)


if __name__ == '__main__':
    main()
