// The harness's S3 server: a real versitygw on loopback that takes objects, lists them, serves ranges,
// refuses wrong credentials, and is gone (by its PID) when the test that started it ends.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { GetObjectCommand, ListObjectsV2Command, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { isAlive } from '../harness/processes.ts';
import { startS3Server } from '../harness/s3-server.ts';

test('versitygw stores, lists and ranges objects in the bucket it was started with', async (t) => {
  const s3 = await startS3Server(t, 'harness-check');
  const client = s3.client();
  t.after(() => client.destroy());
  await client.send(new PutObjectCommand({ Bucket: s3.bucket, Key: 'a/b.txt', Body: 'hello, bucket' }));
  const listed = await client.send(new ListObjectsV2Command({ Bucket: s3.bucket, Prefix: 'a/' }));
  assert.deepEqual(
    listed.Contents?.map((o) => [o.Key, o.Size]),
    [['a/b.txt', 13]],
  );
  const part = await client.send(
    new GetObjectCommand({ Bucket: s3.bucket, Key: 'a/b.txt', Range: 'bytes=7-12' }),
  );
  assert.equal(await part.Body?.transformToString(), 'bucket');
});

test('versitygw refuses a client with the wrong secret', async (t) => {
  const s3 = await startS3Server(t);
  const wrong = new S3Client({
    endpoint: s3.endpoint,
    region: s3.region,
    forcePathStyle: true,
    credentials: { accessKeyId: s3.accessKeyId, secretAccessKey: 'not-the-secret' },
  });
  t.after(() => wrong.destroy());
  await assert.rejects(wrong.send(new ListObjectsV2Command({ Bucket: s3.bucket })), (error: Error) => {
    assert.match(error.name, /SignatureDoesNotMatch|AccessDenied/);
    return true;
  });
});

test('the S3 server is stopped by its PID when its test ends', async (t) => {
  let pid = 0;
  await t.test('a test that starts one', async (inner) => {
    pid = (await startS3Server(inner)).process.pid;
    assert.ok(isAlive(pid));
  });
  assert.ok(pid > 0);
  assert.equal(isAlive(pid), false);
});
