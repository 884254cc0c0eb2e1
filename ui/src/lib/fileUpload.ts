import type { FileUploadProps } from "@cloudscape-design/components/file-upload";

/** The labels of every file picker (Cloudscape's FileUpload asks each use for them). */
export const fileUploadStrings: FileUploadProps.I18nStrings = {
  uploadButtonText: (multiple) => (multiple ? "Choose files" : "Choose file"),
  dropzoneText: (multiple) => (multiple ? "Drop the files to choose them" : "Drop the file to choose it"),
  removeFileAriaLabel: (_i, name) => `Remove ${name}`,
  errorIconAriaLabel: "Error",
  warningIconAriaLabel: "Warning",
  limitShowFewer: "Show fewer",
  limitShowMore: "Show more",
};
