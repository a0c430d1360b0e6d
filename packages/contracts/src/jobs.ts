import { z } from "zod";
import { jobIdSchema } from "./ids";
import { type ImageFile, type ImageParams, imageFileSchema, imageParamsSchema } from "./images";
import { jobStatusSchema } from "./status";
import { type VideoFile, type VideoParams, videoFileSchema, videoParamsSchema } from "./video";

/**
 * Job kinds. Everything that differs between kinds is data in this table;
 * the pipeline (submit, dispatch, run, deliver, apply) is one piece of code.
 */
export { jobIdSchema };

export const JOB_KINDS = ["image", "video"] as const;
export type JobKind = (typeof JOB_KINDS)[number];
export const jobKindSchema = z.enum(JOB_KINDS);

export const KIND_INFO = {
  image: {
    /** Path segment of the web and generator APIs: /api/images/… */
    plural: "images",
    webhookPath: "/api/webhooks/image-completion",
    paramsSchema: imageParamsSchema,
    notification: { completed: "IMAGE_COMPLETED", failed: "IMAGE_FAILED" },
    defaultModel: "local-image-v1",
    /** Key of the file list in `completed` webhooks and result responses. */
    filesKey: "images",
    noun: "image",
  },
  video: {
    plural: "videos",
    webhookPath: "/api/webhooks/video-completion",
    paramsSchema: videoParamsSchema,
    notification: { completed: "VIDEO_COMPLETED", failed: "VIDEO_FAILED" },
    defaultModel: "local-video-v1",
    filesKey: "videos",
    noun: "video",
  },
} as const satisfies Record<JobKind, unknown>;

/** 202 answer to a submission (document 004). */
export const jobAcceptedSchema = z.object({
  job_id: z.string(),
  status: jobStatusSchema,
  message: z.string(),
  created_at: z.string(),
});
export type JobAccepted = z.infer<typeof jobAcceptedSchema>;

/**
 * The model a job runs on: the one asked for (or the default) until a
 * fallback serves it, then the one that made its files; and its provider.
 * Null only for jobs from before the catalog.
 */
const servedBy = {
  model: z.string().nullable(),
  provider: z.string().nullable(),
};

/** GET /api/{kind}s/{id}/status */
export const jobStatusResponseSchema = z.object({
  job_id: z.string(),
  status: jobStatusSchema,
  ...servedBy,
  progress: z.number().int(),
  message: z.string().nullable(),
  error: z.string().nullable(),
  created_at: z.string(),
  updated_at: z.string(),
  completed_at: z.string().nullable(),
  /** While PENDING: jobs (anyone's) submitted before this one and not yet started, plus one. Else null. */
  queue_position: z.number().int().positive().nullable(),
});
export type JobStatusResponse = z.infer<typeof jobStatusResponseSchema>;

export const resultMetadataSchema = z.object({
  model: z.string().nullable(),
  processing_time_ms: z.number().nullable(),
  provider: z.record(z.string(), z.unknown()).nullable(),
});

/** GET /api/images/{id}/result */
export const imageResultSchema = z.object({
  job_id: z.string(),
  status: jobStatusSchema,
  ...servedBy,
  prompt: z.string(),
  params: z.record(z.string(), z.unknown()),
  images: z.array(imageFileSchema),
  metadata: resultMetadataSchema,
  error: z.string().nullable(),
});
export type ImageResult = z.infer<typeof imageResultSchema>;

/** GET /api/videos/{id}/result */
export const videoResultSchema = imageResultSchema.omit({ images: true }).extend({ videos: z.array(videoFileSchema) });
export type VideoResult = z.infer<typeof videoResultSchema>;
export type JobResult = ImageResult | VideoResult;
/** GET /api/{kind}s/{id}/result, per kind. */
export const RESULT_SCHEMAS = { image: imageResultSchema, video: videoResultSchema } as const;

const galleryExtra = {
  /** The same value as `job_id`: document 004's gallery reads a generation's id as `id`. */
  id: z.string(),
  created_at: z.string(),
  completed_at: z.string().nullable(),
  progress: z.number().int(),
  /** The generation itself is starred by the reader. */
  favorite: z.boolean(),
  /** Its files the reader starred one by one. */
  favorite_file_ids: z.array(z.string()),
};

/** One generation in a gallery page: its result, its kind and when it ran. */
export const galleryGenerationSchema = z.discriminatedUnion("kind", [
  imageResultSchema.extend({ ...galleryExtra, kind: z.literal("image") }),
  videoResultSchema.extend({ ...galleryExtra, kind: z.literal("video") }),
]);
export type GalleryGeneration = z.infer<typeof galleryGenerationSchema>;

/** What each kind's API takes and gives back, by kind: the one place these pairs are named. */
type KindTypes = {
  image: { params: ImageParams; result: ImageResult; file: ImageFile };
  video: { params: VideoParams; result: VideoResult; file: VideoFile };
};
export type ParamsOf<K extends JobKind> = KindTypes[K]["params"];
export type ResultOf<K extends JobKind> = KindTypes[K]["result"];
export type FileOf<K extends JobKind> = KindTypes[K]["file"];
export type GenerationOf<K extends JobKind> = Extract<GalleryGeneration, { kind: K }>;

/** GET /api/images/user?cursor=&limit= */
export const galleryPageSchema = z.object({
  generations: z.array(galleryGenerationSchema),
  next_cursor: z.string().nullable(),
});
export type GalleryPage = z.infer<typeof galleryPageSchema>;
/** A gallery page of one kind (GET /api/{kind}s/user lists only that kind). */
export const GALLERY_PAGE_SCHEMAS = {
  image: galleryPageSchema.extend({ generations: z.array(galleryGenerationSchema.options[0]) }),
  video: galleryPageSchema.extend({ generations: z.array(galleryGenerationSchema.options[1]) }),
} as const;
export type GalleryPageOf<K extends JobKind> = { generations: GenerationOf<K>[]; next_cursor: string | null };
