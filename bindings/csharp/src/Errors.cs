// Exceptions: one class per status code of the C ABI, all derived from ItsmException.
using System;

namespace Itsm
{
    /// <summary>A call into libitsm failed. <see cref="Code"/> is the C status (a negative
    /// ITSM_E_* value); the message is itsm_last_error(), naming the parameter, field or JSON
    /// path at fault first. A failed call leaves no trace in the engine.</summary>
    public class ItsmException : Exception
    {
        public int Code { get; private set; }

        public ItsmException(int code, string message) : base(message)
        {
            Code = code;
        }

        /// <summary>The exception for a status code: its own class, or ItsmException for a
        /// code this version does not know (codes are only ever added).</summary>
        public static ItsmException FromCode(int code, string message)
        {
            switch (code)
            {
                case InvalidArgumentException.StatusCode: return new InvalidArgumentException(message);
                case NotFoundException.StatusCode: return new NotFoundException(message);
                case PermissionDeniedException.StatusCode: return new PermissionDeniedException(message);
                case InvalidTransitionException.StatusCode: return new InvalidTransitionException(message);
                case ValidationFailedException.StatusCode: return new ValidationFailedException(message);
                case ConflictException.StatusCode: return new ConflictException(message);
                case InvalidConfigException.StatusCode: return new InvalidConfigException(message);
                case StorageException.StatusCode: return new StorageException(message);
                case InternalErrorException.StatusCode: return new InternalErrorException(message);
                case NoMemoryException.StatusCode: return new NoMemoryException(message);
                default: return new ItsmException(code, message);
            }
        }
    }

    /// <summary>Malformed input: NULL, bad JSON, an unknown member, a bad cursor.</summary>
    public class InvalidArgumentException : ItsmException
    {
        public const int StatusCode = -1;
        public InvalidArgumentException(string message) : base(StatusCode, message) { }
    }

    /// <summary>No such ticket, link, ...</summary>
    public class NotFoundException : ItsmException
    {
        public const int StatusCode = -2;
        public NotFoundException(string message) : base(StatusCode, message) { }
    }

    /// <summary>The actor may not do this.</summary>
    public class PermissionDeniedException : ItsmException
    {
        public const int StatusCode = -3;
        public PermissionDeniedException(string message) : base(StatusCode, message) { }
    }

    /// <summary>The workflow refuses this transition now.</summary>
    public class InvalidTransitionException : ItsmException
    {
        public const int StatusCode = -4;
        public InvalidTransitionException(string message) : base(StatusCode, message) { }
    }

    /// <summary>Well-formed input that breaks a rule.</summary>
    public class ValidationFailedException : ItsmException
    {
        public const int StatusCode = -5;
        public ValidationFailedException(string message) : base(StatusCode, message) { }
    }

    /// <summary>A stale version, a duplicate, the same link twice.</summary>
    public class ConflictException : ItsmException
    {
        public const int StatusCode = -6;
        public ConflictException(string message) : base(StatusCode, message) { }
    }

    /// <summary>A configuration document is refused; the message names the JSON path.</summary>
    public class InvalidConfigException : ItsmException
    {
        public const int StatusCode = -7;
        public InvalidConfigException(string message) : base(StatusCode, message) { }
    }

    /// <summary>The store failed.</summary>
    public class StorageException : ItsmException
    {
        public const int StatusCode = -8;
        public StorageException(string message) : base(StatusCode, message) { }
    }

    /// <summary>A bug in libitsm or in this binding.</summary>
    public class InternalErrorException : ItsmException
    {
        public const int StatusCode = -9;
        public InternalErrorException(string message) : base(StatusCode, message) { }
    }

    /// <summary>An allocation failed inside libitsm.</summary>
    public class NoMemoryException : ItsmException
    {
        public const int StatusCode = -10;
        public NoMemoryException(string message) : base(StatusCode, message) { }
    }

    /// <summary>libitsm was loaded but is not the version this binding was written for.</summary>
    public class LibraryVersionException : Exception
    {
        public LibraryVersionException(string message) : base(message) { }
    }
}
