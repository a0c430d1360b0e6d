import { ListObjectsV2Command } from "@aws-sdk/client-s3";
import { S3Storage } from "./packages/storage/src/s3";
import { startTestS3 } from "./packages/storage/src/testing";
const s3 = await startTestS3();
const store = new S3Storage(s3.options({ listPageSize: 2 }));
for (let i = 0; i < 5; i++) await store.put(`videos/paged/v_${i}.mp4`, Buffer.from("x"), "video/mp4");
const p1 = await store.client.send(new ListObjectsV2Command({ Bucket: s3.bucket, Prefix: "videos/paged/", MaxKeys: 2 }));
console.log(p1.Contents?.map((c) => c.Key), p1.IsTruncated, p1.NextContinuationToken);
try {
const p2 = await store.client.send(new ListObjectsV2Command({ Bucket: s3.bucket, Prefix: "videos/paged/", MaxKeys: 2, ContinuationToken: p1.NextContinuationToken }));
console.log(p2.Contents?.map((c) => c.Key), p2.IsTruncated, p2.NextContinuationToken);
} catch (e) { console.log("p2", e); }
await s3.stop();
