"""Summary of a conformance run from ginkgo's JUnit reports (one per pass).

Every [Conformance] spec of the suite appears in each report: run (passed or failed), skipped by
the test itself (``skipped - <reason>``), or left out by the pass's filters (``skipped`` alone). A
spec counts once, by its best outcome over the passes; a spec left out everywhere is skipped by
skips.txt when a pattern there names it, else not selected (a slice, a --focus).

    summary.py --skips skips.txt --out DIR junit_parallel.xml junit_serial.xml

Writes DIR/summary.json and DIR/summary.md, prints the table, exits 1 when a spec failed or none
passed.
"""

import argparse
import json
import re
import sys
from xml.etree import ElementTree

FAILED_STATES = ('failed', 'panicked', 'timedout', 'interrupted', 'aborted')
# Best outcome first: a spec that failed in one pass failed.
RANK = {'failed': 0, 'passed': 1, 'skipped by the test': 2, 'skipped': 3}
# ginkgo appends the spec's labels to its name in one report and not in another (the parallel pass's
# merged report has them): the name without them is the spec's key.
LABELS = re.compile(r' \[[^\[\]]*, [^\[\]]*\]$')


def read_patterns(path):
    """The regular expressions of a skips file with their reasons: [(regex, reason)]."""
    patterns = []
    with open(path) as handle:
        for line in handle:
            pattern, _separator, reason = line.partition('#')
            if pattern.strip():
                patterns.append((re.compile(pattern.strip()), reason.strip()))
    return patterns


def read_report(path):
    """The [Conformance] specs of one JUnit report: {name: (outcome, seconds, message)}."""
    specs = {}
    # Reports ginkgo wrote in this run, not data from elsewhere.
    for case in ElementTree.parse(path).getroot().iter('testcase'):  # noqa: S314
        name = LABELS.sub('', case.get('name', ''))
        if '[Conformance]' not in name:
            continue
        status = case.get('status', '')
        detail = case.find('failure')
        if detail is None:
            detail = case.find('error')
        if detail is None:
            detail = case.find('skipped')
        message = detail.get('message', '') if detail is not None else ''
        if status in FAILED_STATES:
            outcome = 'failed'
        elif status == 'passed':
            outcome = 'passed'
        elif message.startswith('skipped - '):
            outcome = 'skipped by the test'
            message = message[len('skipped - '):]
        else:
            outcome = 'skipped'
        specs[name] = (outcome, float(case.get('time') or 0), message)
    return specs


def combine(reports):
    """One outcome per spec over all passes, the best by RANK."""
    specs = {}
    for report in reports:
        for name, result in report.items():
            if name not in specs or RANK[result[0]] < RANK[specs[name][0]]:
                specs[name] = result
    return specs


def summarize(specs, skips):
    """Counts, and the specs that failed or were skipped, with why."""
    summary = {'passed': 0, 'failed': 0, 'skipped (skips.txt)': 0, 'skipped by the test': 0, 'not selected': 0,
               'failures': [], 'skips': [], 'test_seconds': 0.0, 'total': len(specs)}
    for name in sorted(specs):
        outcome, seconds, message = specs[name]
        summary['test_seconds'] += seconds
        if outcome == 'skipped':
            reason = next((why for regex, why in skips if regex.search(name)), None)
            if reason is None:
                summary['not selected'] += 1
                continue
            summary['skipped (skips.txt)'] += 1
            summary['skips'].append({'name': name, 'reason': reason})
            continue
        summary[outcome] += 1
        if outcome == 'failed':
            first_line = message.strip().splitlines()[0] if message.strip() else ''
            summary['failures'].append({'name': name, 'message': first_line[:300]})
        elif outcome == 'skipped by the test':
            summary['skips'].append({'name': name, 'reason': 'the test skipped itself: ' + message.strip()[:300]})
    summary['test_seconds'] = round(summary['test_seconds'], 1)
    return summary


def table(summary):
    lines = ['| outcome | specs |', '|---|---|']
    for key in ('passed', 'failed', 'skipped (skips.txt)', 'skipped by the test', 'not selected', 'total'):
        lines.append('| %s | %d |' % (key, summary[key]))
    lines.append('')
    lines.append('Time inside the specs (summed over parallel processes): %.0f s' % summary['test_seconds'])
    if summary['failures']:
        lines += ['', 'Failed:'] + ['- %s: %s' % (item['name'], item['message']) for item in summary['failures']]
    if summary['skips']:
        lines += ['', 'Skipped:'] + ['- %s: %s' % (item['name'], item['reason']) for item in summary['skips']]
    return '\n'.join(lines) + '\n'


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument('--skips', required=True)
    parser.add_argument('--out', required=True)
    parser.add_argument('reports', nargs='*')
    args = parser.parse_args(argv)
    if not args.reports:
        print('no JUnit report: ginkgo did not run (see the pass logs in %s)' % args.out, file=sys.stderr)
        return 1
    summary = summarize(combine(read_report(path) for path in args.reports), read_patterns(args.skips))
    with open('%s/summary.json' % args.out, 'w') as handle:
        json.dump(summary, handle, indent=2)
    text = table(summary)
    with open('%s/summary.md' % args.out, 'w') as handle:
        handle.write(text)
    print(text, end='')
    return 0 if summary['failed'] == 0 and summary['passed'] > 0 else 1


if __name__ == '__main__':
    sys.exit(main())
