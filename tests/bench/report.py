"""Write the results of one `make bench` run: JSON for tools, Markdown for people.

    python3 tests/bench/report.py --out DIR --stamp STAMP --os OS --site-log LOG --rerun-log LOG --add-log LOG \
        --time site_s=N --time rerun_s=N --time add_worker_s=N --time raw_s=N --time raw_join_s=N \
        [--scale WORKERS=SECONDS:PEAK_KIB:LOG ...]

Reads the per-task timings ansible.posix.profile_tasks prints in each site.yml log and says
where the time went, by role. Writes DIR/bench-STAMP.json, DIR/bench-STAMP.md and
DIR/latest.json (the keys other tools read: raw_s, site_s, rerun_s, add_worker_s, raw_join_s).
With --scale (site.yml on fresh clusters of one control plane and WORKERS workers, the
controller's peak memory in KiB), it also fits time and memory against the node count,
projects them to PROJECT_NODES, names the tasks that grow with the nodes and draws
DIR/bench-STAMP-scale.svg.
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
# The cluster sizes the scale fit is projected to (nodes: one control plane plus workers).
PROJECT_NODES = (100, 500)


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


def linear_fit(points):
    """(intercept, slope) of the least-squares line through [(x, y)]; needs two different x."""
    count = len(points)
    mean_x = sum(point[0] for point in points) / count
    mean_y = sum(point[1] for point in points) / count
    spread = sum((point[0] - mean_x) ** 2 for point in points)
    if spread == 0:
        raise ValueError('the scale step needs at least two cluster sizes')
    slope = sum((x - mean_x) * (y - mean_y) for x, y in points) / spread
    return mean_y - slope * mean_x, slope


def task_totals(durations):
    """{task name: seconds}, a task's loop items and repeats added up."""
    totals = {}
    for name, seconds in durations:
        totals[name] = totals.get(name, 0.0) + seconds
    return totals


def scale_summary(points, logs):
    """The scale step: per size its time, memory and time by role; the fits and projections; the
    tasks whose time grew most from the smallest to the largest cluster.
    points: [(workers, seconds, peak KiB)]; logs: {workers: log lines}."""
    points = sorted(points)
    runs = []
    for workers, seconds, peak_kib in points:
        durations = task_durations(logs[workers])
        runs.append({'workers': workers, 'nodes': workers + 1, 'site_s': seconds,
                     'controller_peak_mib': round(peak_kib / 1024.0, 1),
                     'tasks': len(durations), 'by_role': by_role(durations)})
    time_fit = linear_fit([(run['nodes'], run['site_s']) for run in runs])
    memory_fit = linear_fit([(run['nodes'], run['controller_peak_mib']) for run in runs])
    smallest = task_totals(task_durations(logs[points[0][0]]))
    largest = task_totals(task_durations(logs[points[-1][0]]))
    growth = sorted(((name, round(seconds - smallest.get(name, 0.0), 1)) for name, seconds in largest.items()),
                    key=lambda item: -item[1])
    return {
        'runs': runs,
        'fit': {'seconds_fixed': round(time_fit[0], 1), 'seconds_per_node': round(time_fit[1], 2),
                'mib_fixed': round(memory_fit[0], 1), 'mib_per_node': round(memory_fit[1], 2)},
        'projection': [{'nodes': nodes, 'site_s': round(time_fit[0] + time_fit[1] * nodes),
                        'controller_peak_mib': round(memory_fit[0] + memory_fit[1] * nodes)}
                       for nodes in PROJECT_NODES],
        'growing_tasks': [{'task': name, 'added_s': added} for name, added in growth[:8] if added > 0],
    }


def scale_svg(scale, title):
    """Two panels: site.yml time against the node count with the fitted line, and each size's time
    stacked by role (the five largest roles, the rest as 'other')."""
    runs = scale['runs']
    width, height, pad = 860, 340, 50
    panel = (width - 3 * pad) / 2.0
    top, bottom = 40, height - pad
    max_nodes = max(run['nodes'] for run in runs)
    max_seconds = max(run['site_s'] for run in runs) * 1.15
    colours = ['#4e79a7', '#f28e2b', '#e15759', '#76b7b2', '#59a14f', '#bab0ac']
    totals = {}
    for run in runs:
        for role, seconds in run['by_role'].items():
            totals[role] = totals.get(role, 0.0) + seconds
    roles = sorted(totals, key=lambda role: -totals[role])[:5]

    def y_of(seconds):
        return bottom - (bottom - top) * seconds / max_seconds

    out = ['<svg xmlns="http://www.w3.org/2000/svg" width="%d" height="%d" font-family="sans-serif" '
           'font-size="12">' % (width, height),
           '<text x="%d" y="20" font-size="14">%s</text>' % (pad, title)]
    for left in (pad, 2 * pad + panel):
        out.append('<line x1="%.0f" y1="%d" x2="%.0f" y2="%d" stroke="black"/>' % (left, bottom, left + panel, bottom))
        out.append('<line x1="%.0f" y1="%d" x2="%.0f" y2="%d" stroke="black"/>' % (left, top, left, bottom))
        for step in range(5):
            seconds = max_seconds * step / 4
            out.append('<text x="%.0f" y="%.0f" text-anchor="end">%d</text>' % (left - 4, y_of(seconds) + 4, seconds))
    out.append('<text x="%.0f" y="%d" text-anchor="middle">nodes (site.yml seconds on the left axis)</text>'
               % (pad + panel / 2, height - 12))

    def x_of(nodes):
        return pad + panel * nodes / (max_nodes * 1.1)

    fixed, per_node = scale['fit']['seconds_fixed'], scale['fit']['seconds_per_node']
    out.append('<line x1="%.1f" y1="%.1f" x2="%.1f" y2="%.1f" stroke="#999" stroke-dasharray="4"/>' % (
        x_of(0), y_of(max(fixed, 0)), x_of(max_nodes * 1.1), y_of(fixed + per_node * max_nodes * 1.1)))
    for run in runs:
        out.append('<circle cx="%.1f" cy="%.1f" r="4" fill="#4e79a7"/>' % (x_of(run['nodes']), y_of(run['site_s'])))
        out.append('<text x="%.1f" y="%.1f" text-anchor="middle">%d s</text>' % (
            x_of(run['nodes']), y_of(run['site_s']) - 8, run['site_s']))
        out.append('<text x="%.1f" y="%d" text-anchor="middle">%d</text>' % (
            x_of(run['nodes']), bottom + 14, run['nodes']))
    left = 2 * pad + panel
    bar_width = panel / (2 * len(runs) + 1)
    for index, run in enumerate(runs):
        x = left + bar_width * (2 * index + 1)
        base = 0.0
        parts = [(role, run['by_role'].get(role, 0.0)) for role in roles]
        parts.append(('other', sum(seconds for role, seconds in run['by_role'].items() if role not in roles)))
        for (role, seconds), colour in zip(parts, colours):
            out.append('<rect x="%.1f" y="%.1f" width="%.1f" height="%.1f" fill="%s">'
                       '<title>%s %.0f s</title></rect>' % (
                           x, y_of(base + seconds), bar_width, y_of(base) - y_of(base + seconds), colour, role,
                           seconds))
            base += seconds
        out.append('<text x="%.1f" y="%d" text-anchor="middle">%d</text>' % (
            x + bar_width / 2, bottom + 14, run['nodes']))
    for index, (role, colour) in enumerate(zip(roles + ['other'], colours)):
        out.append('<rect x="%.0f" y="%d" width="10" height="10" fill="%s"/><text x="%.0f" y="%d">%s</text>' % (
            left + 8, top + 14 * index, colour, left + 22, top + 9 + 14 * index, role))
    out.append('<text x="%.0f" y="%d" text-anchor="middle">nodes (task seconds by role, all hosts)</text>'
               % (left + panel / 2, height - 12))
    out.append('</svg>')
    return '\n'.join(out) + '\n'


def scale_markdown(scale):
    """The scale step as Markdown: one row per size, the fit, the projection, the growing tasks."""
    fit = scale['fit']
    out = ['', '| scale: nodes (1 control plane + workers) | site.yml to Ready | controller peak memory '
           '| task headers |', '|---|---|---|---|']
    for run in scale['runs']:
        out.append('| %d | %d s | %s MiB | %d |' % (
            run['nodes'], run['site_s'], run['controller_peak_mib'], run['tasks']))
    for projected in scale['projection']:
        out.append('| %d (projected) | %d s | %d MiB | |' % (
            projected['nodes'], projected['site_s'], projected['controller_peak_mib']))
    out += ['', 'Fit: %s s + %s s per node; %s MiB + %s MiB per node.' % (
        fit['seconds_fixed'], fit['seconds_per_node'], fit['mib_fixed'], fit['mib_per_node']),
        '', '| task (summed over hosts) | seconds added from the smallest to the largest cluster |', '|---|---|']
    out += ['| %s | %s |' % (task['task'], task['added_s']) for task in scale['growing_tasks']]
    return out


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
    if 'scale' in result:
        out += scale_markdown(result['scale'])
    return '\n'.join(out) + '\n'


def _parse_time(text):
    key, sep, value = text.partition('=')
    if not sep or key not in KEYS:
        raise argparse.ArgumentTypeError('expected one of %s=SECONDS, got %r' % ('/'.join(KEYS), text))
    try:
        return key, int(value)
    except ValueError:
        raise argparse.ArgumentTypeError('%s: %r is not a whole number of seconds' % (key, value)) from None


def _parse_scale(text):
    workers, sep, rest = text.partition('=')
    fields = rest.split(':', 2)
    try:
        if not sep or len(fields) != 3:
            raise ValueError
        return int(workers), int(fields[0]), int(fields[1]), fields[2]
    except ValueError:
        raise argparse.ArgumentTypeError('expected WORKERS=SECONDS:PEAK_KIB:LOG, got %r' % text) from None


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
    parser.add_argument('--scale', type=_parse_scale, action='append', default=[])
    args = parser.parse_args(argv)
    logs = {}
    for run, path in (('site', args.site_log), ('rerun', args.rerun_log), ('add', args.add_log)):
        with open(path, errors='replace') as handle:
            logs[run] = handle.read().splitlines()
    scale_logs = {}
    for workers, _seconds, _peak, path in args.scale:
        with open(path, errors='replace') as handle:
            scale_logs[workers] = handle.read().splitlines()
    try:
        result = summarize(dict(args.time), logs)
        if args.scale:
            result['scale'] = scale_summary([entry[:3] for entry in args.scale], scale_logs)
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
    if 'scale' in result:
        with open(os.path.join(args.out, 'bench-%s-scale.svg' % args.stamp), 'w') as handle:
            handle.write(scale_svg(result['scale'], 'site.yml on fresh clusters, %s, %s cores, commit %s' % (
                args.os, meta['cores'], args.commit)))
    report = markdown(result, meta)
    with open(os.path.join(args.out, 'bench-%s.md' % args.stamp), 'w') as handle:
        handle.write(report)
    sys.stdout.write(report)


if __name__ == '__main__':
    main()
