import { describe, expect, it } from "vitest";
import { isValidStorageKey, jobOutputKeyProblem, parseJobKey } from "./keys";

const job = "3f2a9c1e-7b4d-4e8a-9c2f-1a2b3c4d5e6f";
const other = "9e8d7c6b-5a49-4382-9170-6f5e4d3c2b1a";

describe("parseJobKey", () => {
  it("reads the folder, job and file name of a key inside a job folder", () => {
    expect(parseJobKey(`images/${job}/image_1.png`)).toEqual({ folder: "images", jobId: job, name: "image_1.png" });
    expect(parseJobKey(`videos/${job}/video_1_poster.jpg`)).toMatchObject({ folder: "videos", jobId: job });
    expect(parseJobKey(`inputs/${job}/input.webp`)).toMatchObject({ folder: "inputs", jobId: job });
  });

  it("refuses whatever is not exactly {folder}/{job}/{file name}", () => {
    for (const key of [
      `images/${job}`,
      `images/${job}/`,
      `images/${job}/image_1.png/thumb.webp`,
      `images/${job}/sub/image_1.png`,
      `other/${job}/image_1.png`,
      `images/${job}/.hidden`,
      `images/${job}/..`,
      `images/../${job}/image_1.png`,
      `/images/${job}/image_1.png`,
      `images//${job}/image_1.png`,
      `images/${"j".repeat(129)}/image_1.png`,
      `images/${job}/image%2F1.png`,
    ]) {
      expect(parseJobKey(key), key).toBeNull();
    }
  });
});

describe("jobOutputKeyProblem: a key a sender reports for a job", () => {
  it("accepts the generator's own keys: files, posters, thumbnails in the job's folder", () => {
    for (const key of [`images/${job}/image_1.png`, `images/${job}/image_1_thumb.webp`, `images/${job}/image_12.jpg`]) {
      expect(jobOutputKeyProblem(key, "image", job), key).toBeNull();
    }
    for (const key of [`videos/${job}/video_1.mp4`, `videos/${job}/video_1_poster.jpg`]) {
      expect(jobOutputKeyProblem(key, "video", job), key).toBeNull();
    }
  });

  it("refuses another job's keys, other folders, traversal, absolute, nested and encoded forms", () => {
    const refused = [
      `images/${other}/image_1.png`, // another job's file
      `images/${job}0/image_1.png`, // a job whose id starts the same
      `images/${job.toUpperCase()}/image_1.png`, // ids are case-sensitive
      `videos/${job}/video_1.mp4`, // the other kind's folder
      `inputs/${job}/input.png`, // the job's input image is not an output
      `images/${job}/../${other}/image_1.png`,
      `images/${job}/..`,
      "../secrets.json",
      `/images/${job}/image_1.png`,
      `/etc/passwd`,
      `images/${job}/image_1.png/thumb.webp`, // below a file
      `images/${job}/a/b.png`,
      `images%2F${job}%2Fimage_1.png`,
      `images/${job}/%2e%2e%2F${other}%2Fimage_1.png`,
      `images/${job}/image_1.png%00`,
      `images\\${job}\\image_1.png`,
      `images/${job}/image 1.png`,
      `images/${job}/ímage.png`,
      `./images/${job}/image_1.png`,
      `./generated_images/${job}/image_1.png`, // document 002's local path
      `https://bucket.example/images/${job}/image_1.png`,
      "",
      `images/${job}/${"a".repeat(600)}.png`,
    ];
    for (const key of refused) {
      expect(jobOutputKeyProblem(key, "image", job), key).toMatch(/this job's own folder/);
    }
  });

  it("agrees with the store's own key rule: every accepted key is a valid storage key", () => {
    expect(isValidStorageKey(`images/${job}/image_1.png`)).toBe(true);
    expect(isValidStorageKey(`images/${job}/image_1.png/thumb.webp`)).toBe(true); // valid for the store…
    expect(jobOutputKeyProblem(`images/${job}/image_1.png/thumb.webp`, "image", job)).not.toBeNull(); // …not a job file
  });
});
