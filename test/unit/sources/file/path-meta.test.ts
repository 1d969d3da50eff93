import { describe, expect, it } from 'vitest';
import { metaFromPath } from '../../../../src/sources/file/path-meta.ts';

const ID = 'a3f1c2d4e5b6978812345678901234567890abcdefabcdefabcdefabcdef0123';

describe('metaFromPath', () => {
  it('/var/log/containers/<pod>_<namespace>_<container>-<id>.log', () => {
    expect(metaFromPath(`/var/log/containers/calico-node-x7k2p_calico-system_calico-node-${ID}.log`)).toEqual(
      {
        pod: 'calico-node-x7k2p',
        namespace: 'calico-system',
        container: 'calico-node',
      },
    );
    // A container name with dashes, and a copy of the directory elsewhere.
    expect(metaFromPath(`logs/calico-node-x7k2p_kube-system_install-cni-${ID}.log`)).toEqual({
      pod: 'calico-node-x7k2p',
      namespace: 'kube-system',
      container: 'install-cni',
    });
  });

  it('a name cut to 255 bytes (ext4) may end in a shorter id', () => {
    const pod = `p${'x'.repeat(200)}`;
    const full = `${pod}_ns_c-${ID}.log`;
    const cut = `${full.slice(0, 251)}.log`;
    expect(cut.length).toBe(255);
    expect(metaFromPath(`/var/log/containers/${cut}`)).toEqual({ pod, namespace: 'ns', container: 'c' });
    // Not cut: the id must be 64 hex digits.
    expect(metaFromPath('/var/log/containers/p_ns_c-abc123.log')).toBeNull();
  });

  it('/var/log/pods/<namespace>_<pod>_<uid>/<container>/<n>.log, rotated and compressed copies', () => {
    const dir =
      '/var/log/pods/calico-system_calico-node-x7k2p_0b9c8e3a-1d2f-4c5b-9a8e-7f6d5c4b3a21/calico-node';
    const want = { namespace: 'calico-system', pod: 'calico-node-x7k2p', container: 'calico-node' };
    expect(metaFromPath(`${dir}/0.log`)).toEqual(want);
    expect(metaFromPath(`${dir}/12.log.20240501-100000`)).toEqual(want);
    expect(metaFromPath(`${dir}/12.log.20240501-100000.gz`)).toEqual(want);
  });

  it('anything else is null', () => {
    for (const p of [
      '/var/log/calico/felix/current',
      'felix.log',
      '',
      '/',
      '/var/log/containers/not_a_kubelet.log',
      `/var/log/containers/Calico_ns_c-${ID}.log`, // upper case: not a DNS name
      `/var/log/containers/a_b_c_d-${ID}.log`,
      '/var/log/pods/ns_pod_uid/calico-node/current.log',
      '/var/log/pods/ns_pod/calico-node/0.log', // no uid
      '/var/log/pods/ns_pod_uid/Calico/0.log',
      '0.log',
    ]) {
      expect(metaFromPath(p), p).toBeNull();
    }
  });
});
