"""tests/conformance/summary.py on JUnit reports in ginkgo v2's format (two passes of one run)."""

import json
import os
import sys

import pytest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import summary  # noqa: E402  (a script beside this test, not a package)

SUITE = '''<?xml version="1.0" encoding="UTF-8"?>
<testsuites tests="5" disabled="3" errors="0" failures="{failures}" time="61.2">
  <testsuite name="Kubernetes e2e suite" package="/e2e" tests="5" disabled="0" skipped="3" errors="0"
             failures="{failures}" time="61.2" timestamp="2026-12-03T19:00:00">
{cases}
  </testsuite>
</testsuites>
'''
DNS = '[It] [sig-network] DNS should provide DNS for the cluster [Conformance] [sig-network, Conformance]'
PODS = ('[It] [sig-node] Pods should be submitted and removed [NodeConformance] [Conformance] '
        '[sig-node, NodeConformance, Conformance]')
QUOTA = ('[It] [sig-api-machinery] ResourceQuota should verify ResourceQuota with best effort scope. [Conformance] '
         '[sig-api-machinery, Conformance]')
SERIAL = ('[It] [sig-scheduling] SchedulerPredicates [Serial] validates resource limits of pods that are allowed to '
          'run [Conformance] [sig-scheduling, Serial, Conformance]')
OTHER = '[It] [sig-storage] CSI Mock volume expansion should expand volume [sig-storage]'


def case(name, status, seconds=0.0, inner=''):
    return '    <testcase name="%s" classname="Kubernetes e2e suite" status="%s" time="%s">%s</testcase>' % (
        name, status, seconds, inner)


def write(tmp_path, file_name, cases, failures=0):
    path = tmp_path / file_name
    path.write_text(SUITE.format(cases='\n'.join(cases), failures=failures))
    return str(path)


@pytest.fixture
def skips(tmp_path):
    path = tmp_path / 'skips.txt'
    path.write_text('# header\nSchedulerPredicates .* resource limits  # lab nodes share the host\'s CPUs\n')
    return str(path)


def run(tmp_path, skips, reports):
    code = summary.main(['--skips', skips, '--out', str(tmp_path)] + reports)
    return code, json.loads((tmp_path / 'summary.json').read_text())


def test_a_spec_counts_once_by_its_best_outcome_over_the_passes(tmp_path, skips):
    parallel = write(tmp_path, 'junit_parallel.xml', [
        case(DNS, 'passed', 30.5), case(PODS, 'passed', 10.0),
        case(QUOTA, 'skipped', 0, '<skipped message="skipped - Only supported for providers [gce]"></skipped>'),
        case(SERIAL, 'skipped', 0, '<skipped message="skipped"></skipped>'), case(OTHER, 'skipped')])
    serial = write(tmp_path, 'junit_serial.xml', [
        case(DNS, 'skipped', 0, '<skipped message="skipped"></skipped>'),
        case(PODS, 'skipped', 0, '<skipped message="skipped"></skipped>'),
        case(QUOTA, 'skipped', 0, '<skipped message="skipped"></skipped>'),
        case(SERIAL, 'skipped', 0, '<skipped message="skipped"></skipped>'), case(OTHER, 'skipped')])
    code, result = run(tmp_path, skips, [parallel, serial])
    assert code == 0
    assert (result['passed'], result['failed'], result['skipped by the test'], result['skipped (skips.txt)'],
            result['not selected'], result['total']) == (2, 0, 1, 1, 0, 4)
    reasons = {item['name']: item['reason'] for item in result['skips']}
    assert reasons[summary.LABELS.sub('', SERIAL)] == "lab nodes share the host's CPUs"
    assert reasons[summary.LABELS.sub('', QUOTA)] == 'the test skipped itself: Only supported for providers [gce]'
    assert result['test_seconds'] == 40.5
    assert '| passed | 2 |' in (tmp_path / 'summary.md').read_text()


def test_a_failure_fails_the_run_and_is_named_with_its_message(tmp_path, skips):
    failure = '<failure message="timed out waiting for the condition&#xA;more detail" type="failed"></failure>'
    report = write(tmp_path, 'junit_parallel.xml', [case(DNS, 'failed', 300.0, failure), case(PODS, 'passed', 9.0)],
                   failures=1)
    code, result = run(tmp_path, skips, [report])
    assert code == 1
    assert result['failed'] == 1
    failed = {'name': summary.LABELS.sub('', DNS), 'message': 'timed out waiting for the condition'}
    assert result['failures'] == [failed]


def test_a_spec_left_out_by_every_pass_and_no_skip_is_not_selected(tmp_path, skips):
    left_out = case(PODS, 'skipped', 0, '<skipped message="skipped"></skipped>')
    report = write(tmp_path, 'junit_slice.xml', [case(DNS, 'passed', 3.0), left_out])
    code, result = run(tmp_path, skips, [report])
    assert code == 0
    assert (result['passed'], result['not selected'], result['skips']) == (1, 1, [])


def test_no_passed_spec_or_no_report_is_a_failed_run(tmp_path, skips):
    report = write(tmp_path, 'junit_parallel.xml', [case(PODS, 'skipped', 0, '<skipped message="skipped"></skipped>')])
    assert run(tmp_path, skips, [report])[0] == 1
    assert summary.main(['--skips', skips, '--out', str(tmp_path)]) == 1


def test_a_spec_named_with_and_without_its_labels_is_one_spec(tmp_path, skips):
    parallel = write(tmp_path, 'junit_parallel.xml', [case(DNS, 'passed', 5.0)])
    serial = write(tmp_path, 'junit_serial.xml', [case(DNS.rsplit(' [', 1)[0], 'skipped', 0,
                                                       '<skipped message="skipped"></skipped>')])
    code, result = run(tmp_path, skips, [parallel, serial])
    assert code == 0
    assert (result['passed'], result['not selected'], result['total']) == (1, 0, 1)
