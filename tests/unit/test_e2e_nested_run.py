"""The e2e playbooks' filters for a nested ansible-playbook run (tests/e2e/filter_plugins)."""

import importlib.util
import os

import pytest

_PATH = os.path.join(os.path.dirname(__file__), '..', 'e2e', 'filter_plugins', 'nested_run.py')
_SPEC = importlib.util.spec_from_file_location('e2e_nested_run', _PATH)
nested_run = importlib.util.module_from_spec(_SPEC)
_SPEC.loader.exec_module(nested_run)

# As molecule's ansible.cfg (display_failed_stderr) splits a refused run: the recap on stdout, the
# fatal message on stderr, folded by the YAML callback.
REFUSED = {
    'stdout': 'PLAY RECAP ****\ncp3 : ok=4 changed=0 failed=1\n',
    'stdout_lines': ['PLAY RECAP ****', 'cp3 : ok=4 changed=0 failed=1'],
    'stderr_lines': ['fatal: [cp3]: FAILED! => changed=false', '  msg: cp3: a kubeadm join as control plane',
                     '    stopped half-way'],
}
REFUSED['stderr'] = '\n'.join(REFUSED['stderr_lines']) + '\n'


def test_said_reads_both_streams_with_folds_undone():
    said = nested_run.nested_run_said(REFUSED)
    assert 'a kubeadm join as control plane stopped half-way' in said
    assert 'changed=0' in said


def test_said_of_a_run_without_output_is_empty():
    assert nested_run.nested_run_said({'stdout': '', 'stderr': ''}) == ''


def test_errors_come_from_stderr_too():
    assert nested_run.nested_run_errors(REFUSED) == 'fatal: [cp3]: FAILED! => changed=false'


def test_errors_take_the_extra_pattern():
    errors = nested_run.nested_run_errors(REFUSED, 'half-way')
    assert errors == 'fatal: [cp3]: FAILED! => changed=false |     stopped half-way'


def test_errors_are_cut_to_the_limit():
    result = {'stdout_lines': ['ERROR! %d' % n for n in range(400)], 'stderr_lines': []}
    errors = nested_run.nested_run_errors(result, limit=100)
    assert len(errors) == 100
    assert errors.endswith('...')


@pytest.mark.parametrize('name', ['nested_run_said', 'nested_run_errors', 'nested_run_seconds'])
def test_filters_are_registered(name):
    assert nested_run.FilterModule().filters()[name] is getattr(nested_run, name)


def test_seconds_come_from_start_and_end():
    result = {'start': '2026-12-04 23:18:08.100000', 'end': '2026-12-04 23:23:51.900000'}
    assert nested_run.nested_run_seconds(result) == 343
