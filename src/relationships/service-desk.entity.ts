import { Column, CreateDateColumn, Entity, PrimaryGeneratedColumn, UpdateDateColumn } from 'typeorm';

/** A service desk (mesa de serviço): where a linked client's tickets may exist. */
@Entity('service_desks')
export class ServiceDesk {
  @PrimaryGeneratedColumn('uuid') id: string;
  @Column() name: string;
  @Column({ type: 'varchar', nullable: true }) description: string | null;
  /** Closed tickets of this desk stay "pending review" until someone reviews them. */
  @Column() requiresReview: boolean;
  @CreateDateColumn({ type: 'timestamptz' }) createdAt: Date;
  @UpdateDateColumn({ type: 'timestamptz' }) updatedAt: Date;
}
