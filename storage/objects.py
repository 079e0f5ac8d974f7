"""Object stores: content-addressed, write-once. Keys are "sha256/<hex>".

LocalStore writes atomically (temporary file + rename) and never overwrites an existing object, so an
original stored first can never be changed by later processing. S3Store speaks the S3 API (MinIO in
production; tested against moto's S3 server over HTTP). MemoryStore serves `yichuang verify`, which
stores nothing.
"""

from __future__ import annotations

import hashlib
import io
import os
import tempfile
from pathlib import Path

from pipeline.errors import ObjectNotFound, StorageUnavailable


def key_for(data: bytes) -> str:
    return f"sha256/{hashlib.sha256(data).hexdigest()}"


def _check_key(key: str) -> str:
    prefix, _, digest = key.partition("/")
    if prefix != "sha256" or len(digest) != 64 or any(c not in "0123456789abcdef" for c in digest):
        raise ObjectNotFound(detail="malformed key")
    return digest


class MemoryStore:
    def __init__(self) -> None:
        self._objects: dict[str, bytes] = {}

    def put(self, data: bytes, *, content_type: str = "application/octet-stream") -> str:
        key = key_for(data)
        self._objects.setdefault(key, bytes(data))
        return key

    def get(self, key: str) -> bytes:
        try:
            return self._objects[key]
        except KeyError as exc:
            raise ObjectNotFound(detail=key) from exc

    def exists(self, key: str) -> bool:
        return key in self._objects

    def ping(self) -> None:
        """Readiness (GET /readyz): raises when the store cannot be used."""

    def delete(self, key: str) -> None:
        """Only for objects nothing else refers to (a synchronous verify that is not kept, api/verify.py)."""
        self._objects.pop(key, None)


class LocalStore:
    def __init__(self, root: Path) -> None:
        self.root = Path(root)
        self.root.mkdir(parents=True, exist_ok=True)

    def _path(self, key: str) -> Path:
        digest = _check_key(key)
        return self.root / digest[:2] / digest[2:4] / digest

    def put(self, data: bytes, *, content_type: str = "application/octet-stream") -> str:
        key = key_for(data)
        path = self._path(key)
        if path.exists():
            return key  # same bytes, same key: never rewritten
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".tmp-")
        try:
            with os.fdopen(fd, "wb") as fh:
                fh.write(data)
                fh.flush()
                os.fsync(fh.fileno())
            os.chmod(tmp, 0o440)
            if not path.exists():
                os.replace(tmp, path)
        except OSError as exc:
            raise StorageUnavailable(detail=type(exc).__name__) from exc
        finally:
            if os.path.exists(tmp):
                os.unlink(tmp)
        return key

    def get(self, key: str) -> bytes:
        try:
            return self._path(key).read_bytes()
        except FileNotFoundError as exc:
            raise ObjectNotFound(detail=key) from exc
        except OSError as exc:
            raise StorageUnavailable(detail=type(exc).__name__) from exc

    def exists(self, key: str) -> bool:
        return self._path(key).exists()

    def ping(self) -> None:
        if not (self.root.is_dir() and os.access(self.root, os.W_OK)):
            raise StorageUnavailable(detail="object folder not writable")

    def delete(self, key: str) -> None:
        """Only for objects nothing else refers to (a synchronous verify that is not kept, api/verify.py)."""
        try:
            self._path(key).unlink()
        except FileNotFoundError:
            pass
        except OSError as exc:
            raise StorageUnavailable(detail=type(exc).__name__) from exc


class S3Store:
    """MinIO / S3 through the `minio` client. Objects are written once: an existing key is left alone."""

    def __init__(self, endpoint: str, access_key: str, secret_key: str, bucket: str, *, secure: bool = True,
                 region: str | None = None, connect_timeout: float = 3.0, read_timeout: float = 10.0) -> None:
        import urllib3
        from minio import Minio

        self.bucket = bucket
        # Bounded waits and one retry: an S3 server that is down or hung gives `StorageUnavailable` in seconds
        # (minio's default pool waits five minutes and retries five times).
        http = urllib3.PoolManager(timeout=urllib3.Timeout(connect=connect_timeout, read=read_timeout), maxsize=16,
                                   retries=urllib3.Retry(total=1, backoff_factor=0.2, status_forcelist=[500, 502, 503, 504]))
        self.client = Minio(endpoint, access_key=access_key, secret_key=secret_key, secure=secure, region=region,
                            http_client=http)
        try:
            if not self.client.bucket_exists(bucket):
                self.client.make_bucket(bucket)
        except Exception as exc:  # noqa: BLE001 - minio/urllib3 raise many types for an unreachable server
            raise StorageUnavailable(detail=f"s3 bucket check failed: {type(exc).__name__}") from exc

    def put(self, data: bytes, *, content_type: str = "application/octet-stream") -> str:
        key = key_for(data)
        if self.exists(key):
            return key
        try:
            self.client.put_object(self.bucket, key, io.BytesIO(data), len(data), content_type=content_type)
        except Exception as exc:  # noqa: BLE001
            raise StorageUnavailable(detail=type(exc).__name__) from exc
        return key

    def get(self, key: str) -> bytes:
        from minio.error import S3Error

        _check_key(key)
        try:
            response = self.client.get_object(self.bucket, key)
            try:
                return response.read()
            finally:
                response.close()
                response.release_conn()
        except S3Error as exc:
            if exc.code in ("NoSuchKey", "NoSuchObject"):
                raise ObjectNotFound(detail=key) from exc
            raise StorageUnavailable(detail=exc.code) from exc
        except Exception as exc:  # noqa: BLE001
            raise StorageUnavailable(detail=type(exc).__name__) from exc

    def exists(self, key: str) -> bool:
        from minio.error import S3Error

        _check_key(key)
        try:
            self.client.stat_object(self.bucket, key)
            return True
        except S3Error as exc:
            if exc.code in ("NoSuchKey", "NoSuchObject", "NotFound"):
                return False
            raise StorageUnavailable(detail=exc.code) from exc
        except Exception as exc:  # noqa: BLE001 - connection refused, time-outs
            raise StorageUnavailable(detail=type(exc).__name__) from exc

    def ping(self) -> None:
        try:
            self.client.bucket_exists(self.bucket)
        except Exception as exc:  # noqa: BLE001
            raise StorageUnavailable(detail=type(exc).__name__) from exc

    def delete(self, key: str) -> None:
        """Only for objects nothing else refers to (a synchronous verify that is not kept, api/verify.py)."""
        try:
            self.client.remove_object(self.bucket, _check_key(key))
        except Exception as exc:  # noqa: BLE001 - as in put/get: the server is unreachable
            raise StorageUnavailable(detail=f"s3 delete failed: {type(exc).__name__}") from exc

    def presigned_url(self, key: str, seconds: int = 300) -> str:
        import datetime as dt

        return self.client.presigned_get_object(self.bucket, key, expires=dt.timedelta(seconds=seconds))
