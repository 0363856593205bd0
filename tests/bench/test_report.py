"""tests/bench/report.py: the bench's figures and where site.yml spent its time."""

import json
import os
import sys

import pytest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import report  # noqa: E402

# Recorded from a make bench rerun log (profile_tasks, colours on), shortened.
LOG = '''
PLAY [Validate the inventory] **************************************************

TASK [duoshou.kubeadm.cluster : Collect the inventory for validation] **********
Thursday 03 December 2026  00:47:54 +0000 (0:00:01.140)       0:00:01.300 *****
\x1b[0;32mok: [localhost]\x1b[0m

TASK [Gathering Facts] *********************************************************
Thursday 03 December 2026  00:47:56 +0000 (0:00:01.750)       0:00:03.050 *****
ok: [cp1]

TASK [duoshou.kubeadm.os_prep : Set sysctls in /etc/sysctl.d/k8s.conf] *********
Thursday 03 December 2026  00:47:58 +0000 (0:00:02.250)       0:00:05.300 *****
\x1b[0;32mok: [cp1] => (item=net.bridge.bridge-nf-call-iptables)\x1b[0m

RUNNING HANDLER [duoshou.kubeadm.os_prep : Reload sysctl] **********************
Thursday 03 December 2026  00:48:04 +0000 (0:00:06.269)       0:00:11.569 *****
ok: [cp1]

PLAY RECAP *********************************************************************
cp1                        : ok=4    changed=0    unreachable=0    failed=0

TASKS RECAP ********************************************************************
'''.splitlines()

TIMES = {'raw_s': 162, 'site_s': 364, 'rerun_s': 255, 'add_worker_s': 249, 'raw_join_s': 88}


def test_each_task_gets_the_time_printed_under_the_next_header():
    durations = report.task_durations(LOG)
    assert durations == [
        ('duoshou.kubeadm.cluster : Collect the inventory for validation', 1.75),
        ('Gathering Facts', 2.25),
        ('duoshou.kubeadm.os_prep : Set sysctls in /etc/sysctl.d/k8s.conf', 6.269),
    ]


def test_the_time_printed_under_the_recap_closes_the_last_task():
    log = LOG + ['Thursday 03 December 2026  00:48:05 +0000 (0:01:00.500)       0:01:12.069 *****']
    assert report.task_durations(log)[-1] == ('duoshou.kubeadm.os_prep : Reload sysctl', 60.5)


def test_time_is_summed_by_role_largest_first():
    log = LOG + ['Thursday 03 December 2026  00:48:05 +0000 (0:00:00.500)       0:01:12.069 *****']
    assert list(report.by_role(report.task_durations(log)).items()) == [
        ('os_prep', 6.8), ('playbook tasks', 2.2), ('cluster', 1.8)]


def test_summary_has_the_keys_other_tools_read_and_the_ratios():
    result = report.summarize(TIMES, {'rerun': LOG})
    assert {key: result[key] for key in report.KEYS} == TIMES
    assert result['ratios'] == {'site_over_raw': 2.25, 'rerun_over_site': 0.7, 'add_worker_over_raw_join': 2.83}
    assert result['runs']['rerun']['tasks'] == 3


def test_a_missing_time_is_refused_by_name():
    times = dict(TIMES)
    del times['raw_join_s']
    with pytest.raises(ValueError, match='raw_join_s'):
        report.summarize(times, {})


def test_main_writes_the_run_and_latest_json(tmp_path):
    for run in ('site', 'rerun', 'add'):
        (tmp_path / (run + '.log')).write_text('\n'.join(LOG))
    report.main(['--out', str(tmp_path), '--stamp', '20261203T000000Z', '--os', 'debian12', '--commit', 'abc1234',
                 '--site-log', str(tmp_path / 'site.log'), '--rerun-log', str(tmp_path / 'rerun.log'),
                 '--add-log', str(tmp_path / 'add.log')]
                + ['--time=%s=%d' % item for item in TIMES.items()])
    latest = json.loads((tmp_path / 'latest.json').read_text())
    assert latest == json.loads((tmp_path / 'bench-20261203T000000Z.json').read_text())
    assert latest['rerun_s'] == 255 and latest['meta']['commit'] == 'abc1234'
    table = (tmp_path / 'bench-20261203T000000Z.md').read_text()
    assert '| add w3 | 88 s | 249 s | 2.83 |' in table
    assert '| os_prep | 6.3 | 6.3 | 6.3 |' in table


def test_a_malformed_time_is_refused():
    with pytest.raises(SystemExit):
        report.main(['--out', '.', '--stamp', 's', '--os', 'o', '--site-log', 'x', '--rerun-log', 'x',
                     '--add-log', 'x', '--time', 'site_s=fast'])


def _scale_log(seconds):
    """A site.yml log of two tasks: the package install takes `seconds`, the other 1 s."""
    return ['TASK [duoshou.kubeadm.kube_packages : Install the packages] ****',
            'Thursday 03 December 2026  00:47:54 +0000 (0:00:01.000)       0:00:01.000 *****',
            'TASK [duoshou.kubeadm.cluster : Say what was built] ****',
            'Thursday 03 December 2026  00:47:54 +0000 (0:00:%06.3f)       0:00:01.000 *****' % seconds,
            'PLAY RECAP ****',
            'Thursday 03 December 2026  00:47:55 +0000 (0:00:01.000)       0:00:02.000 *****']


SCALE_POINTS = [(2, 300, 200 * 1024), (5, 390, 320 * 1024), (10, 540, 520 * 1024)]
SCALE_LOGS = {2: _scale_log(10), 5: _scale_log(25), 10: _scale_log(50)}


def test_scale_fits_a_line_per_node_and_projects_it():
    scale = report.scale_summary(SCALE_POINTS, SCALE_LOGS)
    # Nodes are workers + 1: 3, 6, 11 nodes at 300, 390, 540 s lie on 210 s + 30 s per node.
    assert scale['fit']['seconds_fixed'] == 210.0 and scale['fit']['seconds_per_node'] == 30.0
    assert scale['fit']['mib_fixed'] == 80.0 and scale['fit']['mib_per_node'] == 40.0
    assert scale['projection'] == [{'nodes': 100, 'site_s': 3210, 'controller_peak_mib': 4080},
                                   {'nodes': 500, 'site_s': 15210, 'controller_peak_mib': 20080}]
    assert [run['nodes'] for run in scale['runs']] == [3, 6, 11]


def test_scale_names_the_tasks_that_grew_and_not_those_that_did_not():
    scale = report.scale_summary(SCALE_POINTS, SCALE_LOGS)
    assert scale['growing_tasks'] == [{'task': 'duoshou.kubeadm.kube_packages : Install the packages', 'added_s': 40.0}]


def test_scale_needs_two_cluster_sizes():
    with pytest.raises(ValueError, match='two cluster sizes'):
        report.scale_summary([(2, 300, 1024)], {2: _scale_log(1)})


def test_main_with_scale_writes_the_table_and_the_chart(tmp_path):
    for run in ('site', 'rerun', 'add'):
        (tmp_path / (run + '.log')).write_text('\n'.join(LOG))
    scale_args = []
    for workers, seconds, peak in SCALE_POINTS:
        (tmp_path / ('scale-%d.log' % workers)).write_text('\n'.join(SCALE_LOGS[workers]))
        scale_args += ['--scale', '%d=%d:%d:%s' % (workers, seconds, peak, tmp_path / ('scale-%d.log' % workers))]
    report.main(['--out', str(tmp_path), '--stamp', 'S', '--os', 'debian12', '--site-log', str(tmp_path / 'site.log'),
                 '--rerun-log', str(tmp_path / 'rerun.log'), '--add-log', str(tmp_path / 'add.log')]
                + ['--time=%s=%d' % item for item in TIMES.items()] + scale_args)
    assert json.loads((tmp_path / 'latest.json').read_text())['scale']['projection'][0]['nodes'] == 100
    table = (tmp_path / 'bench-S.md').read_text()
    assert '| 11 | 540 s | 520.0 MiB | 2 |' in table
    assert '| 100 (projected) | 3210 s | 4080 MiB | |' in table
    svg = (tmp_path / 'bench-S-scale.svg').read_text()
    assert svg.startswith('<svg') and svg.count('<circle') == 3 and svg.rstrip().endswith('</svg>')


def test_a_malformed_scale_point_is_refused():
    with pytest.raises(SystemExit):
        report.main(['--out', '.', '--stamp', 's', '--os', 'o', '--site-log', 'x', '--rerun-log', 'x',
                     '--add-log', 'x', '--scale', '5=300'])
