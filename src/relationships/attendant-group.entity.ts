import {
  Column,
  CreateDateColumn,
  Entity,
  JoinTable,
  ManyToMany,
  PrimaryGeneratedColumn,
  UpdateDateColumn,
} from 'typeorm';
import { Operator } from '../auth/operator.entity';

/** A team of operators (grupo de atendentes); linked clients are the ones its members may see and serve. */
@Entity('attendant_groups')
export class AttendantGroup {
  @PrimaryGeneratedColumn('uuid') id: string;
  @Column() name: string;
  @Column({ type: 'varchar', nullable: true }) description: string | null;
  @ManyToMany(() => Operator)
  @JoinTable({
    name: 'attendant_group_members',
    joinColumn: { name: 'attendant_group_id', referencedColumnName: 'id' },
    inverseJoinColumn: { name: 'operator_id', referencedColumnName: 'id' },
  })
  members: Operator[];
  @CreateDateColumn({ type: 'timestamptz' }) createdAt: Date;
  @UpdateDateColumn({ type: 'timestamptz' }) updatedAt: Date;
}
