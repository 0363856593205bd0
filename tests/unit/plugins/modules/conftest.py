"""Module test harness in the style of community.general: exit/fail raise, run_command is faked."""

import json
import sys

import pytest
from ansible.module_utils import basic
from ansible_collections.duoshou.kubeadm.plugins.module_utils import common

try:
    from ansible.module_utils.testing import patch_module_args
except ImportError:  # ansible-core < 2.19
    import contextlib

    from ansible.module_utils.common.text.converters import to_bytes

    @contextlib.contextmanager
    def patch_module_args(args=None):
        old = basic._ANSIBLE_ARGS
        basic._ANSIBLE_ARGS = to_bytes(json.dumps({'ANSIBLE_MODULE_ARGS': args or {}}))
        try:
            yield
        finally:
            basic._ANSIBLE_ARGS = old


class AnsibleExitJson(Exception):
    def __init__(self, result):
        super().__init__(result)
        self.result = result


class AnsibleFailJson(Exception):
    def __init__(self, result):
        super().__init__(result)
        self.result = result


def exit_json(self, **kwargs):
    kwargs.setdefault('changed', False)
    raise AnsibleExitJson(kwargs)


def fail_json(self, **kwargs):
    kwargs['failed'] = True
    raise AnsibleFailJson(kwargs)


class FakeRunner:
    """Replaces AnsibleModule.run_command: answers by the command's arguments, records every call."""

    def __init__(self):
        self.calls = []
        self.rules = []

    def on(self, predicate, rc=0, out='', err=''):
        self.rules.append((predicate, (rc, out, err)))
        return self

    def __call__(self, args, **kwargs):
        assert isinstance(args, list), 'run_command must get an argument list, not a shell string'
        self.calls.append(list(args))
        for predicate, answer in self.rules:
            if predicate(args):
                return answer
        raise AssertionError('unexpected command: %r' % (args,))

    def ran(self, *words):
        return [call for call in self.calls if all(word in call for word in words)]


@pytest.fixture
def module_harness(monkeypatch):
    """Patch AnsibleModule so that exit/fail raise and commands go to a FakeRunner.

    Returns a function run(main, args, runner=None, bins=None, executables=()) -> (kind, result, runner)
    where kind is 'exit' or 'fail'.
    """

    def run(main, args, runner=None, bins=None, executables=()):
        runner = runner or FakeRunner()
        bins = {'kubeadm': '/usr/bin/kubeadm'} if bins is None else bins

        def get_bin_path(self, name, required=False, opt_dirs=None):
            path = bins.get(name)
            if path is None and required:
                self.fail_json(msg='Failed to find required executable "%s"' % name)
            return path

        # The binaries exist only as far as the FakeRunner is concerned.
        known = set(bins.values()) | set(executables)
        monkeypatch.setattr(common, 'is_executable', lambda path: path in known)
        module = sys.modules[main.__module__]
        if hasattr(module, 'is_executable'):
            monkeypatch.setattr(module, 'is_executable', lambda path: path in known)
        monkeypatch.setattr(basic.AnsibleModule, 'exit_json', exit_json)
        monkeypatch.setattr(basic.AnsibleModule, 'fail_json', fail_json)

        def run_command(self, args, **kwargs):
            return runner(args, **kwargs)

        monkeypatch.setattr(basic.AnsibleModule, 'run_command', run_command)
        monkeypatch.setattr(basic.AnsibleModule, 'get_bin_path', get_bin_path)
        with patch_module_args(args):
            try:
                main()
            except AnsibleExitJson as exc:
                return 'exit', exc.result, runner
            except AnsibleFailJson as exc:
                return 'fail', exc.result, runner
        raise AssertionError('the module returned without exit_json or fail_json')

    return run


@pytest.fixture
def runner():
    return FakeRunner()
