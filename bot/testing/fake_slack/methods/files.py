"""files.getUploadURLExternal, the upload URL it hands out, and files.completeUploadExternal."""

from __future__ import annotations

from typing import Any

from bot.testing.fake_slack.protocol import Reply, SlackError, parse_multipart
from bot.testing.fake_slack.records import UploadedFile
from bot.testing.fake_slack.state import Handler, Upload, Workspace


def files_get_upload_url_external(world: Workspace, params: dict[str, Any]) -> dict[str, Any]:
    filename = params.get("filename")
    try:
        length = int(params.get("length", ""))
    except ValueError:
        raise SlackError("invalid_arguments") from None
    if not filename or length < 1:
        raise SlackError("invalid_arguments")
    with world.lock:
        file_id = f"F{world.next_id():09d}"
        world.uploads[file_id] = Upload(file_id, str(filename), length)
        return {"upload_url": f"{world.base_url}/upload/{file_id}", "file_id": file_id}


def receive_upload(world: Workspace, file_id: str, body: bytes, content_type: str) -> Reply:
    """A POST to an upload URL: the file's bytes, raw or as the one file part of a multipart form."""
    if content_type.lower().startswith("multipart/form-data"):
        parts = parse_multipart(body, content_type)
        body = next((v for v in parts.values() if isinstance(v, bytes)), body)
    with world.lock:
        upload = world.uploads.get(file_id)
        if upload is None:
            return Reply.text(404, "file_not_found")
        upload.content = body
    return Reply.text(200, f"OK - {len(body)}")


def files_complete_upload_external(world: Workspace, params: dict[str, Any]) -> dict[str, Any]:
    files = params.get("files")
    if not isinstance(files, list) or not files:
        raise SlackError("invalid_arguments")
    with world.lock:
        channel_ids = [c for c in str(params.get("channels") or "").split(",") if c]
        if params.get("channel_id"):
            channel_ids.insert(0, params["channel_id"])
        channels = [world.postable_channel(c) for c in channel_ids]
        uploads = []
        for entry in files:
            upload = world.uploads.get(entry.get("id")) if isinstance(entry, dict) else None
            if upload is None or upload.content is None:
                raise SlackError("file_not_found")
            uploads.append((upload, entry.get("title") or upload.filename))
        answer = []
        for upload, title in uploads:
            answer.append(
                {"id": upload.id, "name": upload.filename, "title": title, "size": len(upload.content or b"")}
            )
            for channel in channels or [None]:
                world.recorded.files.append(
                    UploadedFile(
                        upload.id,
                        upload.filename,
                        title,
                        upload.content or b"",
                        channel.id if channel else None,
                        params.get("initial_comment"),
                        params.get("thread_ts"),
                    )
                )
        for channel in channels:
            message = world.bot_message(world.next_ts(), params.get("initial_comment"), None, {})
            message["files"] = answer
            world.store_message(channel, message, params.get("thread_ts"))
        return {"files": answer}


METHODS: dict[str, Handler] = {
    "files.getUploadURLExternal": files_get_upload_url_external,
    "files.completeUploadExternal": files_complete_upload_external,
}
