import { ApiProperty } from '@nestjs/swagger';
import { ErrorCode } from './error-code';

/** The one error shape of the whole API. */
export class ErrorResponseDto {
  @ApiProperty({ type: 'integer', minimum: 400, maximum: 599, example: 404 })
  statusCode!: number;

  @ApiProperty({ enum: ErrorCode, enumName: 'ErrorCode', example: ErrorCode.PageNotFound })
  error!: ErrorCode;

  @ApiProperty({ example: 'No published page with slug "jane-doe"' })
  message!: string;

  @ApiProperty({
    example: '6f1c2a4e-8d2b-4c51-9a43-3c1f0e9b7d21',
    description: 'The x-request-id of the request; quote it when reporting a problem',
  })
  requestId!: string;
}
