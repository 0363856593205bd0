"""Write the Vagrantfile a Vagrant scenario's create step would boot, without booting it.

Usage: python3 render_vagrantfile.py EFFECTIVE_MOLECULE_YML PROVIDER OUTPUT_DIR

EFFECTIVE_MOLECULE_YML is the molecule.yml molecule writes into the scenario's
ephemeral directory (base config merged, environment interpolated): the file the
driver's create playbook reads as ``molecule_yml``. The mapping follows the
community.vagrant ``vagrant`` module that playbook calls: box (platform or
driver default_box), hostname = platform name, /vagrant sync disabled, a fresh
SSH key, one ``vm.network`` per interface, memory and cpus in the provider block
(VirtualBox: linked clones). ``vagrant validate`` on the result checks what this
repository controls: box names, network options, provider settings.
"""

import os
import sys

import yaml

PROVIDERS = ('libvirt', 'virtualbox')


def ruby(value):
    """Ruby literal for a YAML scalar."""
    if isinstance(value, bool):
        return 'true' if value else 'false'
    if isinstance(value, (int, float)):
        return str(value)
    return '"%s"' % str(value).replace('\\', '\\\\').replace('"', '\\"')


def machine(platform, default_box, provider):
    """Lines of one config.vm.define block."""
    name = platform['name']
    lines = ['  config.vm.define %s do |c|' % ruby(name),
             '    c.vm.box = %s' % ruby(platform.get('box', default_box)),
             '    c.vm.hostname = %s' % ruby(platform.get('hostname', name)),
             '    c.vm.synced_folder ".", "/vagrant", disabled: true',
             '    c.ssh.insert_key = true']
    for interface in platform.get('interfaces', []):
        options = dict(interface)
        network = options.pop('network_name')
        args = ''.join(', %s: %s' % (key, ruby(value)) for key, value in options.items())
        lines.append('    c.vm.network %s%s' % (ruby(network), args))
    lines.append('    c.vm.provider %s do |p|' % ruby(provider))
    lines.append('      p.memory = %d' % int(platform.get('memory', 512)))
    lines.append('      p.cpus = %d' % int(platform.get('cpus', 2)))
    if provider == 'virtualbox':
        lines.append('      p.linked_clone = true')
    for option, value in platform.get('provider_options', {}).items():
        lines.append('      p.%s = %s' % (option, ruby(value)))
    lines.extend(['    end', '  end'])
    return lines


def render(config, provider):
    """The whole Vagrantfile for the effective molecule config and a provider."""
    driver = config['driver']
    if driver.get('name') != 'vagrant':
        raise ValueError('driver.name is %r, not vagrant' % driver.get('name'))
    default_box = driver.get('default_box')
    lines = ["Vagrant.configure('2') do |config|"]
    for platform in config['platforms']:
        if not platform.get('box', default_box):
            raise ValueError('platform %s has no box and the driver no default_box' % platform['name'])
        lines.extend(machine(platform, default_box, provider))
    lines.append('end')
    return '\n'.join(lines) + '\n'


def main(argv):
    if len(argv) != 4 or argv[2] not in PROVIDERS:
        sys.stderr.write('usage: %s EFFECTIVE_MOLECULE_YML {%s} OUTPUT_DIR\n' % (argv[0], '|'.join(PROVIDERS)))
        return 2
    with open(argv[1]) as stream:
        config = yaml.safe_load(stream)
    os.makedirs(argv[3], exist_ok=True)
    with open(os.path.join(argv[3], 'Vagrantfile'), 'w') as stream:
        stream.write(render(config, argv[2]))
    return 0


if __name__ == '__main__':
    sys.exit(main(sys.argv))
