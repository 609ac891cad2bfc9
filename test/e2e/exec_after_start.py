# docker-py: `run -d` immediately followed by exec and put_archive, N times (issue 19's 50/50 check).
import io, json, sys, tarfile
import docker

client = docker.DockerClient(base_url=sys.argv[1])
rounds = int(sys.argv[2])
ok = 0
failures = []
for i in range(rounds):
    c = client.containers.run('alpine', ['sleep', '60'], detach=True)
    try:
        code, out = c.exec_run(['echo', 'ok'])
        data = io.BytesIO()
        with tarfile.open(fileobj=data, mode='w') as tar:
            body = f'round {i}\n'.encode()
            info = tarfile.TarInfo('f')
            info.size = len(body)
            tar.addfile(info, io.BytesIO(body))
        put = c.put_archive('/tmp', data.getvalue())
        _, back = c.exec_run(['cat', '/tmp/f'])
        if code == 0 and out == b'ok\n' and put and back == f'round {i}\n'.encode():
            ok += 1
        else:
            failures.append({'round': i, 'code': code, 'out': out.decode(errors='replace'), 'back': back.decode(errors='replace')})
    except Exception as e:  # an API error is a failed round, reported with its message
        failures.append({'round': i, 'error': str(e)})
    finally:
        c.remove(force=True)
print(json.dumps({'ok': ok, 'failures': failures[:5]}))
